"""The signed-in work pages: the dashboard and an organisation's private page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import policy, selectors, verification
from ..audit import audit_history, verb_label
from ..forms import InviteForm, ProfileForm
from ..models import Membership, Organisation


@login_required
def dashboard(request):
    organisations = list(selectors.organisations_of_user(user=request.user))
    may_verify = verification.may_use_queue(request.user)
    return render(
        request,
        "marketplace/dashboard.html",
        {
            "organisations": organisations,
            "offices": selectors.offices_of_user(user=request.user),
            "may_verify": may_verify,
            "queue_count": verification.verification_queue(user=request.user).count() if may_verify else 0,
        },
    )


def render_organisation(request, organisation: Organisation, *, invite_form=None, profile_form=None, error=None,
                        status: int = 200):
    """The organisation's private page, also re-rendered by the member and profile actions with their input."""
    user = request.user
    can_manage = policy.can_manage_organisation(user, organisation)
    members = list(organisation.memberships.select_related("user").order_by("role", "user__email"))
    categories = list(organisation.categories.all())
    history = list(audit_history(organisation)[:50])
    for event in history:
        event.label = verb_label(event.verb)
    own = next((m for m in members if m.user_id == user.pk), None)
    if can_manage and profile_form is None:
        profile_form = ProfileForm(initial={"contact_phone": organisation.contact_phone,
                                            "description": organisation.description,
                                            "categories": categories})
    return render(
        request,
        "marketplace/organisation_detail.html",
        {
            "organisation": organisation,
            "members": members,
            "categories": categories,
            "history": history,
            "missing": verification.verification_missing(organisation, category_count=len(categories))
            if organisation.status == Organisation.Status.PENDING else [],
            "can_manage": can_manage,
            "can_resubmit": can_manage and organisation.status == Organisation.Status.REJECTED,
            "can_govern": policy.can_govern_organisations(user),
            "can_verify": organisation.status == Organisation.Status.PENDING
            and policy.can_verify_organisation(user, organisation),
            "own_membership": own,
            "invite_form": invite_form or (InviteForm() if can_manage else None),
            "profile_form": profile_form,
            "role_choices": Membership.Role.choices,
            "error": error,
        },
        status=status,
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    return render_organisation(request, organisation)
