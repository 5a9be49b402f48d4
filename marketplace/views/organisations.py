"""Organisations' own pages: applying on either track, the profile, the certificate, members and invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import policy, selectors, services
from ..errors import DomainError, NotFound
from ..forms import FiledApplicationForm, InviteForm, ProfileForm, RegisteredApplicationForm
from ..models import Membership
from ..uploads import serve_private
from .dashboard import render_organisation

# Errors of the application services that belong to one field of the form.
FIELD_OF_ERROR = {"uscc": "uscc", "uscc_taken": "uscc", "upload_too_large": "certificate", "upload_type": "certificate",
                  "upload_disguised": "certificate", "upload_empty": "certificate"}


@login_required
def apply_start(request):
    return render(request, "marketplace/apply_start.html")


def _apply(request, form_class, service, template: str):
    form = form_class(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            organisation = service(actor=request.user, **data)
        except DomainError as exc:
            field = FIELD_OF_ERROR.get(exc.code)
            if field in form.fields:
                form.add_error(field, str(exc.message))
            else:
                error = exc
        else:
            messages.success(request, _("Your application is submitted. We will tell you when it is decided."))
            return redirect("marketplace:organisation_detail", pk=organisation.pk)
    status = error.status if error else (400 if form.errors else 200)
    return render(request, template, {"form": form, "error": error}, status=status)


@login_required
def apply_registered(request):
    return _apply(request, RegisteredApplicationForm, services.organisation_apply_registered,
                  "marketplace/apply_registered.html")


@login_required
def apply_filed(request):
    return _apply(request, FiledApplicationForm, services.organisation_apply_filed, "marketplace/apply_filed.html")


@login_required
@require_POST
def profile_edit(request, pk: int):
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    if not policy.can_manage_organisation(request.user, organisation):
        raise NotFound()
    form = ProfileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.organisation_update_profile(actor=request.user, organisation=organisation, **form.cleaned_data)
        except DomainError as exc:
            if FIELD_OF_ERROR.get(exc.code) == "certificate":
                form.add_error("certificate", str(exc.message))
            else:
                return render_organisation(request, organisation, profile_form=form, error=exc, status=exc.status)
        else:
            messages.success(request, _("Saved."))
            return redirect("marketplace:organisation_detail", pk=organisation.pk)
    return render_organisation(request, organisation, profile_form=form, status=400)


def certificate_download(request, pk: int):
    """The certificate, for those the policy lets see the organisation's private page; 'not found' for everyone
    else, anonymous visitors included (no sign-in redirect that would confirm the id exists)."""
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    return serve_private(organisation.certificate, download_name=f"certificate-{organisation.pk}")


@login_required
@require_POST
def resubmit(request, pk: int):
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    if not policy.can_manage_organisation(request.user, organisation):
        raise NotFound()
    try:
        services.organisation_resubmit(actor=request.user, organisation=organisation)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return render_organisation(request, organisation, error=exc, status=exc.status)
    messages.success(request, _("Your application is submitted. We will tell you when it is decided."))
    return redirect("marketplace:organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def member_invite(request, pk: int):
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    if not policy.can_manage_organisation(request.user, organisation):
        raise NotFound()
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.membership_invite(actor=request.user, organisation=organisation, **form.cleaned_data)
        except DomainError as exc:
            return render_organisation(request, organisation, invite_form=form, error=exc, status=exc.status)
        messages.success(request, _("The invitation is on its way to %(email)s.") % form.cleaned_data)
        return redirect("marketplace:organisation_detail", pk=organisation.pk)
    return render_organisation(request, organisation, invite_form=form, status=400)


def _membership(request, pk: int, membership_pk: int) -> Membership:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    return get_object_or_404(Membership.objects.select_related("user", "organisation"),
                             pk=membership_pk, organisation=organisation)


@login_required
@require_POST
def member_role(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk)
    try:
        services.membership_set_role(actor=request.user, membership=membership, role=request.POST.get("role", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return render_organisation(request, membership.organisation, error=exc, status=exc.status)
    messages.success(request, _("Saved."))
    return redirect("marketplace:organisation_detail", pk=pk)


@login_required
@require_POST
def member_remove(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk)
    leaving = membership.user_id == request.user.pk
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return render_organisation(request, membership.organisation, error=exc, status=exc.status)
    if leaving:
        messages.success(request, _("You have left %(organisation)s.") % {"organisation": membership.organisation})
        return redirect("marketplace:dashboard")
    messages.success(request, _("The member is removed."))
    return redirect("marketplace:organisation_detail", pk=pk)


@login_required
def invitation_accept(request, token: str):
    invitation = services.invitation_read(token)
    error = None
    if request.method == "POST":
        try:
            membership = services.membership_accept_invitation(actor=request.user, token=token)
        except DomainError as exc:
            if exc.status == 404:
                raise
            error = exc
        else:
            messages.success(request, _("Welcome to %(organisation)s.") % {"organisation": membership.organisation})
            return redirect("marketplace:organisation_detail", pk=membership.organisation_id)
    return render(request, "marketplace/invitation_accept.html",
                  {"invitation": invitation, "error": error,
                   "role_label": Membership.Role(invitation["role"]).label,
                   "email_matches": (request.user.email or "").lower() == invitation["email"]},
                  status=error.status if error else 200)
