"""The verifiers' and operators' pages: the queue of applications, and governing one organisation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import policy, services, verification
from ..audit import audit_history, verb_label
from ..errors import DomainError
from ..forms import GradeForm, PublicReasonForm, ReasonForm, SuspendForm
from ..models import Organisation


def _render_queue(request, *, reject_forms=None, error=None, status=200):
    queue = list(verification.verification_queue(user=request.user))
    reject_forms = reject_forms or {}
    rows = [
        {
            "organisation": org,
            "missing": verification.verification_missing(org, category_count=len(org.categories.all())),
            "reject_form": reject_forms.get(org.pk) or ReasonForm(prefix=f"reject-{org.pk}"),
        }
        for org in queue
    ]
    return render(request, "marketplace/operator_queue.html",
                  {"rows": rows, "error": error, "is_operator": policy.is_operator(request.user),
                   "office_verifier": bool(verification.verifier_office_ids(request.user))}, status=status)


@login_required
def queue(request):
    return _render_queue(request)


@login_required
@require_POST
def queue_verify(request, pk: int):
    organisation = verification.organisation_get_for_verifier(user=request.user, pk=pk)
    try:
        organisation = services.organisation_verify(actor=request.user, organisation=organisation)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _render_queue(request, error=exc, status=exc.status)
    messages.success(request, _("%(organisation)s is verified.") % {"organisation": organisation})
    return redirect("marketplace:operator_queue")


@login_required
@require_POST
def queue_reject(request, pk: int):
    organisation = verification.organisation_get_for_verifier(user=request.user, pk=pk)
    form = ReasonForm(request.POST, prefix=f"reject-{pk}")
    if not form.is_valid():
        return _render_queue(request, reject_forms={pk: form}, status=400)
    try:
        services.organisation_reject(actor=request.user, organisation=organisation, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _render_queue(request, reject_forms={pk: form}, error=exc, status=exc.status)
    messages.success(request, _("The application of %(organisation)s is rejected.") % {"organisation": organisation})
    return redirect("marketplace:operator_queue")


FORMS = {"suspend": SuspendForm, "remove": PublicReasonForm, "grade": GradeForm}


def _render_govern(request, organisation: Organisation, *, bound=None, error=None, status=200):
    forms = {name: form_class(prefix=name) for name, form_class in FORMS.items()}
    forms["grade"] = GradeForm(prefix="grade", initial={"grade": organisation.grade})
    if bound is not None:
        forms[bound.prefix] = bound
    history = list(audit_history(organisation)[:50])
    for event in history:
        event.label = verb_label(event.verb)
    S = Organisation.Status
    return render(
        request,
        "marketplace/operator_organisation.html",
        {
            "organisation": organisation,
            "forms": forms,
            "history": history,
            "error": error,
            "may_suspend": organisation.status == S.VERIFIED,
            "may_reinstate": organisation.status == S.SUSPENDED,
            "may_remove": organisation.status in (S.VERIFIED, S.SUSPENDED),
            "may_verify": organisation.status == S.PENDING,
        },
        status=status,
    )


@login_required
def organisation_govern(request, pk: int):
    organisation = verification.organisation_get_for_operator(user=request.user, pk=pk)
    return _render_govern(request, organisation)


@login_required
@require_POST
def organisation_govern_action(request, pk: int, action: str):
    """One POST per operator action; each calls one service. A refused one keeps what was typed."""
    organisation = verification.organisation_get_for_operator(user=request.user, pk=pk)
    form = None
    try:
        if action == "reinstate":
            services.organisation_reinstate(actor=request.user, organisation=organisation)
        elif action in FORMS:
            form = FORMS[action](request.POST, prefix=action)
            if not form.is_valid():
                return _render_govern(request, organisation, bound=form, status=400)
            data = form.cleaned_data
            if action == "suspend":
                services.organisation_suspend(actor=request.user, organisation=organisation, reason=data["reason"],
                                              until=data["until"])
            elif action == "remove":
                services.organisation_remove(actor=request.user, organisation=organisation, reason=data["reason"])
            else:
                services.organisation_set_grade(actor=request.user, organisation=organisation, grade=data["grade"],
                                                graded_on=data["graded_on"])
        else:
            raise Http404
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _render_govern(request, organisation, bound=form, error=exc, status=exc.status)
    messages.success(request, _("Saved."))
    return redirect("marketplace:operator_organisation", pk=organisation.pk)
