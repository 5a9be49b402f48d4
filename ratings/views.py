"""Review forms of a contract's parties, replies, residents' ratings, reports and the operators' queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts.models import Contract
from contracts.selectors import contract_get_for_party
from marketplace import policy
from marketplace.errors import DomainError, NotFound, PermissionDenied
from marketplace.inputs import text_param

from . import selectors, services
from .forms import FlagCloseForm, HideForm, ReplyForm, ReportForm, ResidentRatingForm, ReviewForm
from .models import CRITERIA, Direction, Review


@login_required
def review_form(request, pk: int):
    contract = contract_get_for_party(user=request.user, pk=pk)
    direction = services.direction_for(request.user, contract)
    form = ReviewForm(request.POST or None, direction=direction)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.review_submit(actor=request.user, contract_id=contract.pk, scores=form.scores(),
                                   comment=form.cleaned_data["comment"], private_note=form.cleaned_data["private_note"])
            messages.success(request, _("Thank you. Your review is sealed until the other side has reviewed too, "
                                        "or until the review window closes."))
            return redirect("contracts:contract_work", pk=contract.pk)
        except DomainError as exc:
            error = exc
    status = error.status if error else (400 if form.errors else 200)
    own = selectors.own_review(user=request.user, contract_id=contract.pk, direction=direction)
    own_scores = [(label, own.scores[code]) for code, label in CRITERIA[direction] if code in own.scores] if own else []
    return render(request, "ratings/review_form.html", {"contract": contract, "form": form, "error": error,
                                                        "own": own, "own_scores": own_scores}, status=status)


def _subject_url(review: Review) -> str:
    contract = review.window.contract
    if review.direction == Direction.OFFICE_TO_PROVIDER:
        return reverse("marketplace:provider_detail", args=[contract.provider_id])
    return reverse("marketplace:office_detail", args=[contract.office_id])


def _finish(request, call, *, success: str, to: str):
    """Run a service for a POST: 404 passes through; other refusals come back as a message on `to`."""
    try:
        call()
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
        return redirect(to)
    messages.success(request, success)
    return redirect(to)


@login_required
@require_POST
def review_reply(request, pk: int):
    review = selectors.published_review(pk=pk)
    form = ReplyForm(request.POST)
    return _finish(request, lambda: services.review_reply(actor=request.user, review_id=review.pk,
                                                          text=text_param(form.data, "reply")),
                   success=_("Your reply is published."), to=_subject_url(review) + f"#review-{review.pk}")


@login_required
@require_POST
def review_report(request, pk: int):
    review = selectors.published_review(pk=pk)
    reason = ReportForm(request.POST).data
    return _finish(request, lambda: services.report_create(actor=request.user, review_id=review.pk,
                                                           reason=text_param(reason, "reason")),
                   success=_("Thank you. The platform operators will look at it."),
                   to=_subject_url(review) + f"#review-{review.pk}")


@login_required
@require_POST
def resident_report(request, pk: int):
    rating = selectors.resident_rating_get(pk=pk)
    reason = ReportForm(request.POST).data
    to = reverse("marketplace:provider_detail", args=[rating.contract.provider_id]) + f"#resident-{rating.pk}"
    return _finish(request, lambda: services.report_create(actor=request.user, resident_rating_id=rating.pk,
                                                           reason=text_param(reason, "reason")),
                   success=_("Thank you. The platform operators will look at it."), to=to)


@login_required
def resident_rate(request, pk: int):
    contract = Contract.objects.select_related("provider", "office").filter(
        pk=pk, status__in=(Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.TERMINATED)).first()
    if contract is None:
        raise NotFound()
    refusal = services.resident_can_rate(request.user, contract)
    form = ResidentRatingForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_rating_submit(actor=request.user, contract_id=contract.pk,
                                            score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
            messages.success(request, _("Thank you for rating this service."))
            return redirect(reverse("marketplace:provider_detail", args=[contract.provider_id]) + "#resident-ratings")
        except DomainError as exc:
            error = exc
    status = error.status if error else (400 if form.errors else 200)
    return render(request, "ratings/resident_form.html",
                  {"contract": contract, "form": form, "error": error, "refusal": refusal}, status=status)


# --- Operators -----------------------------------------------------------------------------------------------


def _operator_only(request) -> None:
    if not policy.is_operator(request.user):
        raise PermissionDenied()


@login_required
def operator_queue(request):
    _operator_only(request)
    return render(request, "ratings/operator_queue.html", {
        "reports": selectors.open_reports(), "flags": selectors.open_flags(),
        "hide_form": HideForm(), "flag_form": FlagCloseForm(),
    })


QUEUE = "ratings:operator_queue"


def _hide(request, **target):
    """Operators hide a review's or a resident rating's text; the score stays and the note is shown instead."""
    _operator_only(request)
    note = HideForm(request.POST).data
    return _finish(request, lambda: services.text_hide(actor=request.user, note=text_param(note, "note", max_length=300),
                                                       **target),
                   success=_("The text is hidden; the note is shown in its place."), to=reverse(QUEUE))


@login_required
@require_POST
def operator_review_hide(request, pk: int):
    return _hide(request, review_id=pk)


@login_required
@require_POST
def operator_resident_hide(request, pk: int):
    return _hide(request, resident_rating_id=pk)


@login_required
@require_POST
def operator_report_dismiss(request, pk: int):
    _operator_only(request)
    return _finish(request, lambda: services.report_dismiss(actor=request.user, report_id=pk),
                   success=_("The report is dismissed."), to=reverse(QUEUE))


@login_required
@require_POST
def operator_flag_close(request, pk: int):
    _operator_only(request)
    note = FlagCloseForm(request.POST).data
    return _finish(request, lambda: services.flag_close(actor=request.user, flag_id=pk, note=text_param(note, "note")),
                   success=_("The flag is closed."), to=reverse(QUEUE))
