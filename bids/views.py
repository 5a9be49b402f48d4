"""Tender pages: the public list and notice, the bidder's form, and the office's working page."""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import policy
from marketplace.arrival import arrival_time
from marketplace.errors import DomainError, ValidationFailed
from marketplace.inputs import id_param, text_param
from marketplace.models import OfficeStaff, User
from marketplace.pdf import render_pdf
from marketplace.selectors import organisations_of_user
from marketplace.uploads import serve_private

from . import reports, selectors, services
from .forms import RESPONSE_PREFIX, AwardForm, BidForm, CriterionFormSet, ReasonForm, TenderForm, criteria_of
from .models import Tender


def tender_list(request):
    filterset = selectors.tender_filterset(filters=request.GET)
    page = Paginator(filterset.qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "bids/tender_list.html", {"filter": filterset, "page_obj": page, "query": query.urlencode()})


def award_list(request):
    page = Paginator(selectors.award_list(), 20).get_page(request.GET.get("page"))
    return render(request, "bids/award_list.html", {"page_obj": page})


def tender_detail(request, pk: int):
    tender = services.tender_close_if_due(selectors.tender_get_public(pk=pk))
    context = {
        "tender": tender,
        "opening_record": selectors.opened_bids_for(user=request.user, tender=tender),
        "own_bids": selectors.own_bids(user=request.user, tender=tender) if request.user.is_authenticated else [],
        "clarifications": tender.clarifications.exclude(answer="").order_by("answered_at"),
        "objections": tender.objections.exclude(status="submitted"),
        "objecting_orgs": selectors.objecting_organisations(user=request.user, tender=tender),
        "can_ask": request.user.is_authenticated and bool(policy.principal(request.user).org_roles)
        and tender.status == Tender.Status.PUBLISHED
        and (tender.clarification_deadline is None or timezone.now() < tender.clarification_deadline),
        "can_bid": request.user.is_authenticated and bool(policy.principal(request.user).org_roles)
        and tender.status == Tender.Status.PUBLISHED and not tender.deadline_passed(),
    }
    return render(request, "bids/tender_detail.html", context)


def _bid_initial(bid) -> dict:
    """The form starts from the bidder's latest version, so a replacement begins with what was sealed."""
    if bid is None:
        return {}
    initial = {"organisation": bid.organisation_id, "price": bid.price, "proposal": bid.proposal}
    initial.update({f"{RESPONSE_PREFIX}{r.criterion_id}": r.text for r in bid.responses.all()})
    return initial


@login_required
def bid_edit(request, pk: int):
    """Prepare, save and submit a bid with its responses and files. A domain error (deadline, eligibility, an
    unanswered required criterion) keeps what was typed."""
    tender = services.tender_close_if_due(selectors.tender_get_public(pk=pk))
    organisations = organisations_of_user(user=request.user)
    current = selectors.own_bids(user=request.user, tender=tender).prefetch_related("responses", "attachments").first()
    form = BidForm(request.POST or None, request.FILES or None, organisations=organisations,
                   criteria=tender.criteria.all(), initial=_bid_initial(current))
    error = None
    if request.method == "POST" and form.is_valid():
        # The deadline is checked against the time the request arrived, not the time it was processed.
        content = {"actor": request.user, "tender_id": tender.pk, "organisation": form.cleaned_data["organisation"],
                   "price": form.cleaned_data["price"], "proposal": form.cleaned_data["proposal"],
                   "responses": form.responses(), "arrived_at": arrival_time(request)}
        try:
            if "submit" in request.POST:  # one step, idempotent: a double click gives one receipt
                bid = services.bid_submit_content(**content, files=form.cleaned_data["attachments"])
                messages.success(request, _("Your bid is submitted and sealed. Keep the receipt."))
                return redirect("bids:bid_receipt", pk=bid.pk)
            bid = services.bid_save_draft(**content)
            for file in form.cleaned_data["attachments"]:
                services.bid_attachment_add(actor=request.user, bid_id=bid.pk, file=file,
                                            arrived_at=content["arrived_at"])
            messages.success(request, _("Draft saved."))
            return redirect("bids:bid_edit", pk=tender.pk)
        except DomainError as exc:
            error = exc
            current = selectors.own_bids(user=request.user, tender=tender).prefetch_related("attachments").first()
    status = error.status if error else (400 if request.method == "POST" else 200)
    return render(request, "bids/bid_form.html", {"tender": tender, "form": form, "error": error, "current": current},
                  status=status)


@login_required
@require_POST
def bid_attachment_remove(request, pk: int):
    """Remove a file from the bidder's draft; refused (409) once the bid is sealed or the deadline has passed."""
    attachment = selectors.bid_attachment_get_for_member(user=request.user, pk=pk)
    bid = services.bid_attachment_remove(actor=request.user, bid_id=attachment.bid_id, attachment_id=attachment.pk,
                                         arrived_at=arrival_time(request))
    messages.success(request, _("The file is removed from your draft."))
    return redirect("bids:bid_edit", pk=bid.tender_id)


@login_required
def bid_attachment(request, pk: int):
    """A bid's file: sealed like its bid (see bids.selectors.may_see_opened_bid_content)."""
    tender = selectors.tender_of_attachment(pk=pk)
    if tender is not None:  # past the deadline the tender closes first, and the bid is opened
        services.tender_close_if_due(tender)
    attachment = selectors.bid_attachment_get_for_user(user=request.user, pk=pk)
    stem = os.path.splitext(attachment.original_name)[0] or f"bid-file-{attachment.pk}"
    return serve_private(attachment.file, download_name=stem)


@login_required
def objection_document(request, pk: int):
    objection = selectors.objection_document_get_for_user(user=request.user, pk=pk)
    return serve_private(objection.document, download_name=f"objection-{objection.pk}")


def tender_document(request, pk: int):
    """The tender document: public with the tender; before publication, the office's staff only."""
    tender = selectors.tender_document_get(user=request.user, pk=pk)
    stem = os.path.splitext(tender.document_name)[0] or f"tender-{tender.pk}"
    return serve_private(tender.document, download_name=stem)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def award_notice_pdf(request, pk: int):
    """The award notice (中标公示) as a PDF: public from the proposed award on, at a stable address."""
    tender = selectors.award_notice_get(pk=pk)
    data = render_pdf("bids/pdf/award_notice.html", reports.award_notice_context(tender, request=request),
                      base_url=request.build_absolute_uri("/"), running_title=tender.title)
    return _pdf_response(data, f"award-notice-{tender.pk}.pdf")


@login_required
def evaluation_report_pdf(request, pk: int):
    """The evaluation report (评标报告) for the office's staff who run the tender and the declared panel."""
    tender = selectors.tender_get_for_evaluation_report(user=request.user, pk=pk)
    data = render_pdf("bids/pdf/evaluation_report.html", reports.evaluation_report_context(tender),
                      base_url=request.build_absolute_uri("/"), running_title=tender.title)
    return _pdf_response(data, f"evaluation-report-{tender.pk}.pdf")


def _bidder_post(request, pk: int, call, success: str, *, default_organisation: bool = False):
    """A bidder's POST on the public tender page: one service call, then back to the page with a message.

    Refusals the bidder can act on (400, 409) come back as a message; 403 and 404 show their error page.
    """
    tender = selectors.tender_get_public(pk=pk)
    mine = organisations_of_user(user=request.user)
    organisation_id = id_param(request.POST, "organisation", required=False)
    organisation = mine.filter(pk=organisation_id).first() if organisation_id else None
    if organisation is None and default_organisation:
        organisation = mine.first()
    if organisation is None:
        raise Http404
    try:
        call(tender=tender, organisation=organisation)
        messages.success(request, success)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    return redirect("bids:tender_detail", pk=tender.pk)


@login_required
@require_POST
def clarification_ask(request, pk: int):
    return _bidder_post(
        request, pk,
        lambda tender, organisation: services.clarification_ask(
            actor=request.user, tender_id=tender.pk, organisation=organisation,
            question=text_param(request.POST, "question")),
        _("Your question is sent. The answer will be published on this page."),
        default_organisation=True,
    )


@login_required
@require_POST
def objection_lodge(request, pk: int):
    return _bidder_post(
        request, pk,
        lambda tender, organisation: services.objection_lodge(
            actor=request.user, tender_id=tender.pk, organisation=organisation,
            grounds=text_param(request.POST, "grounds"), document=request.FILES.get("document")),
        _("Your objection is lodged. The award waits for the office's answer."),
    )


@login_required
def bid_receipt(request, pk: int):
    bid = selectors.bid_get_for_member(user=request.user, pk=pk)
    return render(request, "bids/bid_receipt.html", {"bid": bid, "tender": bid.tender})


@login_required
def bid_receipt_pdf(request, pk: int):
    """The receipt as a PDF, for the bidding organisation's members only."""
    bid = selectors.bid_get_for_member(user=request.user, pk=pk)
    if not bid.receipt_digest:
        raise Http404
    data = render_pdf("bids/pdf/receipt.html", {"bid": bid, "tender": bid.tender},
                      base_url=request.build_absolute_uri("/"), running_title=bid.tender.title)
    return _pdf_response(data, f"bid-receipt-{bid.pk}-v{bid.version}.pdf")


@login_required
@require_POST
def bid_withdraw(request, pk: int):
    bid = selectors.bid_get_for_member(user=request.user, pk=pk)
    services.bid_withdraw(actor=request.user, bid_id=bid.pk, arrived_at=arrival_time(request))
    messages.success(request, _("Your bid is withdrawn."))
    return redirect("bids:tender_detail", pk=bid.tender_id)


# --- The office's working pages ----------------------------------------------------------------------


@login_required
def office_tender_list(request):
    return render(request, "bids/office_tender_list.html", {"tenders": selectors.office_tender_list(user=request.user)})


@login_required
def office_tender(request, pk: int):
    tender = services.tender_close_if_due(selectors.tender_get_for_office(user=request.user, pk=pk))
    form = criteria_formset = None
    if tender.status == Tender.Status.DRAFT:
        form = TenderForm(request.POST or None, request.FILES or None, instance=tender)
        # A post without the criteria rows (an older form, a script) leaves the criteria as they are.
        criteria_formset = CriterionFormSet(
            request.POST if "criteria-TOTAL_FORMS" in request.POST else None, prefix="criteria",
            initial=[{"name": c.name, "weight": c.weight, "response_required": c.response_required}
                     for c in tender.criteria.all()])
    error = None
    if request.method == "POST" and form is not None and form.is_valid() and (
            not criteria_formset.is_bound or criteria_formset.is_valid()):
        try:
            services.tender_update(actor=request.user, tender=tender,
                                   **{f: form.cleaned_data[f] for f in form.changed_data
                                      if f not in ("tender_document", "method", "price_weight")})
            # The method, the price weight and the criteria are validated together (they add up to 100).
            if {"method", "price_weight"} & set(form.changed_data) or criteria_formset.has_changed():
                comprehensive = form.cleaned_data["method"] == Tender.Method.COMPREHENSIVE
                criteria = (criteria_of(criteria_formset) if criteria_formset.is_bound
                            else [(c.name, c.weight, c.response_required) for c in tender.criteria.all()])
                services.criteria_set(actor=request.user, tender_id=tender.pk,
                                      price_weight=form.cleaned_data["price_weight"] if comprehensive else 100,
                                      criteria=criteria if comprehensive else [])
            if form.cleaned_data.get("tender_document"):
                services.tender_document_attach(actor=request.user, tender_id=tender.pk,
                                                document=form.cleaned_data["tender_document"])
            if "publish" in request.POST:
                services.tender_publish(actor=request.user, tender=tender)
                messages.success(request, _("The tender is published."))
            else:
                messages.success(request, _("Saved."))
            return redirect("bids:office_tender", pk=tender.pk)
        except DomainError as exc:
            error = exc
    opening_record = selectors.opened_bids_for(user=request.user, tender=tender)
    evaluating = tender.status == Tender.Status.EVALUATING and opening_record is not None
    panel = tender.panel.select_related("evaluator")
    seat = next((m for m in panel if m.evaluator_id == request.user.pk), None)
    return render(
        request,
        "bids/office_tender.html",
        {
            "tender": tender,
            "form": form,
            "criteria_formset": criteria_formset,
            "error": error,
            "opening_record": opening_record,
            "ranking": services.tender_ranking(tender) if evaluating else [],
            "criteria": tender.criteria.all() if evaluating and seat and seat.declared_at else [],
            "panel": panel,
            "pending_objections": tender.objections.filter(status="submitted")
            if policy.can_approve(request.user, tender.office_id) else [],
            "questions": tender.clarifications.all() if policy.can_run_procurement(request.user, tender.office_id)
            else [],
            "seat": seat,
            "can_judge": bool(seat and seat.declared_at),  # the panel rule: only declared members judge bids
            "can_award": policy.can_approve(request.user, tender.office_id),
            "can_manage": policy.can_run_procurement(request.user, tender.office_id),
            "office_evaluators": User.objects.filter(
                office_posts__office_id=tender.office_id, office_posts__role=OfficeStaff.Role.EVALUATOR
            ).exclude(panel_seats__tender=tender).order_by("email"),
            "award_form": AwardForm(),
            "cancel_form": ReasonForm(),
            "report_available": tender.status in selectors.EVALUATED_STATUSES and opening_record is not None
            and (policy.can_run_procurement(request.user, tender.office_id) or bool(seat and seat.declared_at)),
            "bid_contents": selectors.opened_bid_contents(user=request.user, tender=tender),
        },
        status=error.status if error else (
            400 if form is not None and (form.errors or criteria_formset.total_error_count()) else 200),
    )


@login_required
@require_POST
def office_tender_action(request, pk: int, action: str):
    """One POST endpoint per office action; each calls one service."""
    tender = selectors.tender_get_for_office(user=request.user, pk=pk)
    if action == "evaluate":
        services.tender_start_evaluation(actor=request.user, tender_id=tender.pk)
    elif action in ("qualify", "disqualify"):
        services.bid_qualify(actor=request.user, bid_id=id_param(request.POST, "bid"),
                             qualified=action == "qualify", reason=text_param(request.POST, "reason"))
    elif action == "award":
        form = AwardForm(request.POST)
        if not form.is_valid() and "justification" in form.errors:  # typed text is refused, never dropped
            raise ValidationFailed(form.errors["justification"][0])
        services.tender_propose_award(actor=request.user, tender_id=tender.pk,
                                      bid_id=form.cleaned_data.get("bid") or 0,
                                      justification=form.cleaned_data.get("justification", ""))
        messages.success(request, _("The award notice is published. The standstill period has started."))
    elif action == "panel":
        evaluator = User.objects.filter(pk=id_param(request.POST, "evaluator")).first()
        if evaluator is None:
            raise Http404
        services.panel_add(actor=request.user, tender_id=tender.pk, evaluator=evaluator)
    elif action == "declare":
        services.panel_declare(actor=request.user, tender_id=tender.pk)
        messages.success(request, _("Declaration recorded. You can now see and score the bids."))
    elif action == "score":
        services.score_record(actor=request.user, bid_id=id_param(request.POST, "bid"),
                              criterion_id=id_param(request.POST, "criterion"),
                              points=text_param(request.POST, "points"), comment=text_param(request.POST, "comment"))
    elif action == "answer":
        services.clarification_answer(actor=request.user, clarification_id=id_param(request.POST, "clarification"),
                                      answer=text_param(request.POST, "answer"))
    elif action in ("uphold", "reject_objection"):
        services.objection_answer(actor=request.user, objection_id=id_param(request.POST, "objection"),
                                  upheld=action == "uphold", answer=text_param(request.POST, "answer"),
                                  cancel_tender=request.POST.get("cancel_tender") == "1")
    elif action == "cancel":
        services.tender_cancel(actor=request.user, tender_id=tender.pk, reason=text_param(request.POST, "reason"))
    else:
        raise Http404
    return redirect("bids:office_tender", pk=tender.pk)

