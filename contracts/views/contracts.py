"""Contract pages: the public summary, the dashboard, the parties' working page with one POST per action, the
milestone plan, variations, and the private downloads (contract PDFs, evidence files)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import policy
from marketplace.errors import DomainError, NotFound
from marketplace.inputs import id_param, text_param
from marketplace.uploads import serve_private

from .. import selectors, services
from ..forms import TermForm, VariationForm, plan_formset
from ..models import Contract


def contract_public(request, pk: int):
    return render(request, "contracts/contract_public.html", {"contract": selectors.contract_get_public(pk=pk)})


@login_required
def contract_list(request):
    return render(request, "contracts/contract_list.html",
                  {"dashboard": selectors.contract_dashboard(user=request.user)})


def _sides(request, contract) -> dict:
    return {"office_side": policy.can_run_procurement(request.user, contract.office_id),
            "provider_side": policy.is_member(request.user, contract.provider_id)}


def _render_work(request, contract, *, term_form=None, formset=None, error=None, status=200):
    sides = _sides(request, contract)
    if contract.status == Contract.Status.DRAFT and sides["office_side"] and formset is None:
        term_form = TermForm(initial={"starts_on": contract.starts_on, "ends_on": contract.ends_on})
        formset = plan_formset(milestones=contract.milestones.all())
    return render(request, "contracts/contract_work.html",
                  {"contract": contract, **sides, "term_form": term_form, "formset": formset, "error": error},
                  status=status)


@login_required
def contract_work(request, pk: int):
    return _render_work(request, selectors.contract_get_work(user=request.user, pk=pk))


@login_required
def contract_plan(request, pk: int):
    """The office edits the term and the milestone plan of a draft; what was typed is kept on any error."""
    contract = selectors.contract_get_work(user=request.user, pk=pk)
    if not policy.can_run_procurement(request.user, contract.office_id):
        raise NotFound()
    if request.method != "POST":
        return redirect("contracts:contract_work", pk=pk)
    if contract.status != Contract.Status.DRAFT:
        messages.error(request, _("The milestone plan can be changed only while the contract is a draft."))
        return redirect("contracts:contract_work", pk=pk)
    term_form = TermForm(request.POST)
    formset = plan_formset(request.POST, add_row="add_row" in request.POST)
    if "add_row" in request.POST:
        return _render_work(request, contract, term_form=term_form, formset=formset)
    if not (term_form.is_valid() and formset.is_valid()):
        return _render_work(request, contract, term_form=term_form, formset=formset, status=400)
    try:
        services.contract_set_plan(actor=request.user, contract_id=contract.pk, plan=formset.rows(),
                                   starts_on=term_form.cleaned_data["starts_on"],
                                   ends_on=term_form.cleaned_data["ends_on"])
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _render_work(request, contract, term_form=term_form, formset=formset, error=exc, status=exc.status)
    messages.success(request, _("The milestone plan is saved."))
    return redirect("contracts:contract_work", pk=pk)


@login_required
def contract_variation_new(request, pk: int):
    """Either party proposes a variation: a new value, term or milestone plan, with its reason."""
    contract = selectors.contract_get_work(user=request.user, pk=pk)
    sides = _sides(request, contract)
    if not (sides["office_side"] or sides["provider_side"]):
        raise NotFound()
    error = None
    if request.method == "POST":
        form = VariationForm(request.POST)
        formset = plan_formset(request.POST, add_row="add_row" in request.POST)
        if "add_row" not in request.POST and form.is_valid() and formset.is_valid():
            try:
                services.contract_variation_propose(actor=request.user, contract_id=contract.pk,
                                                    plan=formset.rows(), **form.cleaned_data)
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                error = exc
            else:
                messages.success(request, _("The variation is proposed. The other party is asked to accept it."))
                return redirect("contracts:contract_work", pk=pk)
        status = error.status if error else (200 if "add_row" in request.POST else 400)
    else:
        form = VariationForm(initial={"value": contract.value, "starts_on": contract.starts_on,
                                      "ends_on": contract.ends_on})
        formset = plan_formset(milestones=contract.milestones.all())
        status = 200
    return render(request, "contracts/variation_form.html",
                  {"contract": contract, "form": form, "formset": formset, "error": error, **sides}, status=status)


def _object_id(post, key: str) -> int:
    return id_param(post, key)  # none given: 404; not an id: 400 with a message


@login_required
@require_POST
def contract_action(request, pk: int, action: str):
    contract = selectors.contract_get_for_party(user=request.user, pk=pk)
    post = request.POST
    ip = request.META.get("REMOTE_ADDR")
    try:
        if action == "send":
            services.contract_send_for_signature(actor=request.user, contract_id=contract.pk)
        elif action == "recall":
            services.contract_recall(actor=request.user, contract_id=contract.pk)
        elif action == "sign":
            services.contract_sign(actor=request.user, contract_id=contract.pk, ip=ip)
        elif action == "evidence":
            services.milestone_submit_evidence(actor=request.user, milestone_id=_object_id(post, "milestone"),
                                               report=text_param(post, "report"), files=request.FILES.getlist("files"))
        elif action == "accept":
            services.milestone_accept(actor=request.user, milestone_id=_object_id(post, "milestone"),
                                      amount=post.get("amount") or None, reason=text_param(post, "reason"))
        elif action == "reject":
            services.milestone_reject(actor=request.user, milestone_id=_object_id(post, "milestone"),
                                      reason=text_param(post, "reason"))
        elif action == "pay_offline":
            services.payment_record_offline(actor=request.user, payment_id=_object_id(post, "payment"),
                                            reference=text_param(post, "reference", max_length=100))
        elif action == "terminate":
            services.contract_terminate(actor=request.user, contract_id=contract.pk, reason=text_param(post, "reason"))
        elif action == "variation_accept":
            services.contract_variation_accept(actor=request.user, variation_id=_object_id(post, "variation"), ip=ip)
        elif action == "variation_reject":
            services.contract_variation_reject(actor=request.user, variation_id=_object_id(post, "variation"),
                                               reason=text_param(post, "reason"), ip=ip)
        elif action == "variation_withdraw":
            services.contract_variation_withdraw(actor=request.user, variation_id=_object_id(post, "variation"))
        else:
            raise Http404
    except DomainError as exc:
        if exc.status in (403, 404):  # not yours / not allowed: the error page says so with its status
            raise
        messages.error(request, exc.message)
        return redirect("contracts:contract_work", pk=contract.pk)
    messages.success(request, _("Saved."))
    return redirect("contracts:contract_work", pk=contract.pk)


@login_required
def contract_document(request, pk: int, version: int):
    """The signed contract PDF, for the two parties and operators only."""
    contract = selectors.contract_get_for_party(user=request.user, pk=pk)
    document = contract.documents.filter(version=version).first()
    if document is None:
        raise Http404
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="contract-{contract.pk}-v{version}.pdf"'
    return response


@login_required
def evidence_file(request, pk: int, file_id: int):
    """A milestone's evidence file, for the two parties and operators only; never public."""
    evidence = selectors.evidence_file_get_for_party(user=request.user, contract_id=pk, file_id=file_id)
    return serve_private(evidence.file, download_name=f"contract-{pk}-evidence-{evidence.pk}")
