"""Contract pages: the public summary and the parties' working page, with one POST per action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import policy
from marketplace.errors import DomainError

from .. import selectors, services


def contract_public(request, pk: int):
    return render(request, "contracts/contract_public.html", {"contract": selectors.contract_get_public(pk=pk)})


@login_required
def contract_list(request):
    return render(request, "contracts/contract_list.html", {"contracts": selectors.contracts_of_user(user=request.user)})


@login_required
def contract_work(request, pk: int):
    contract = selectors.contract_get_for_party(user=request.user, pk=pk)
    return render(
        request,
        "contracts/contract_work.html",
        {
            "contract": contract,
            "office_side": policy.can_run_procurement(request.user, contract.office_id),
            "provider_side": policy.is_member(request.user, contract.provider_id),
        },
    )


@login_required
@require_POST
def contract_action(request, pk: int, action: str):
    contract = selectors.contract_get_for_party(user=request.user, pk=pk)
    post = request.POST
    try:
        if action == "send":
            services.contract_send_for_signature(actor=request.user, contract_id=contract.pk)
        elif action == "sign":
            services.contract_sign(actor=request.user, contract_id=contract.pk, ip=request.META.get("REMOTE_ADDR"))
        elif action == "evidence":
            services.milestone_submit_evidence(actor=request.user, milestone_id=int(post.get("milestone", 0)),
                                               report=post.get("report", ""))
        elif action == "accept":
            services.milestone_accept(actor=request.user, milestone_id=int(post.get("milestone", 0)),
                                      amount=post.get("amount") or None, reason=post.get("reason", ""))
        elif action == "reject":
            services.milestone_reject(actor=request.user, milestone_id=int(post.get("milestone", 0)),
                                      reason=post.get("reason", ""))
        elif action == "pay_offline":
            services.payment_record_offline(actor=request.user, payment_id=int(post.get("payment", 0)),
                                            reference=post.get("reference", ""))
        elif action == "terminate":
            services.contract_terminate(actor=request.user, contract_id=contract.pk, reason=post.get("reason", ""))
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
