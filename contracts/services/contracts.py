"""Contracts: creation from an award, the milestone plan, signing, the contract PDF and termination."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bids.models import Bid, Tender
from marketplace import policy
from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import User
from marketplace.pdf import render_pdf, sha256_hex
from marketplace.statemachine import transition

from ..models import Contract, ContractDocument, ContractVariation, Milestone
from ..signals import contract_closed
from ._common import _lock, _office_side, _party_or_404, _provider_side

CENT = Decimal("0.01")


def default_milestone_plan(*, value: Decimal, starts_on: dt.date, ends_on: dt.date) -> list[dict]:
    """The office's starting proposal: the default split (30/40/30), due dates spread over the term.

    Amounts are rounded down to the fen and the last milestone takes the remainder, so they sum to the value.
    """
    split = settings.CONTRACT_DEFAULT_MILESTONE_SPLIT
    term_days = (ends_on - starts_on).days
    plan, allotted, elapsed = [], Decimal(0), 0
    for i, share in enumerate(split, start=1):
        last = i == len(split)
        amount = value - allotted if last else (value * Decimal(share) / 100).quantize(CENT, rounding=ROUND_DOWN)
        allotted += amount
        elapsed += share
        due = ends_on if last else starts_on + dt.timedelta(days=term_days * elapsed // 100)
        plan.append({"title": _("Milestone %(n)d") % {"n": i}, "due_on": due, "amount": amount})
    return plan


def milestone_plan_problems(*, value: Decimal, starts_on: dt.date, ends_on: dt.date, plan: list[dict]) -> list[str]:
    problems = []
    if not plan:
        problems.append(_("A contract needs at least one milestone."))
    total = sum((Decimal(m["amount"]) for m in plan), Decimal(0))
    if total != value:
        problems.append(
            _("The milestone amounts add up to ¥%(total)s, but the contract value is ¥%(value)s.")
            % {"total": f"{total:,.2f}", "value": f"{value:,.2f}"}
        )
    for n, m in enumerate(plan, start=1):
        if Decimal(m["amount"]) <= 0:
            problems.append(_("Milestone %(n)d must have an amount above zero.") % {"n": n})
        if not (starts_on <= m["due_on"] <= ends_on):
            problems.append(
                _("Milestone %(n)d is due on %(due)s, outside the contract term (%(start)s to %(end)s).")
                % {"n": n, "due": m["due_on"], "start": starts_on, "end": ends_on}
            )
    return problems


@transaction.atomic
def contract_create_from_award(*, tender: Tender, bid: Bid) -> Contract:
    """Called inside the award's transaction. Idempotent: a tender has at most one contract."""
    existing = Contract.objects.filter(tender=tender).first()
    if existing:
        return existing
    starts_on = timezone.localdate(tender.awarded_at or timezone.now())
    ends_on = starts_on + dt.timedelta(days=364)
    contract = Contract.objects.create(
        tender=tender, office_id=tender.office_id, provider=bid.organisation, title=tender.title, value=bid.price,
        starts_on=starts_on, ends_on=ends_on, indicators=tender.indicators,
    )
    plan = default_milestone_plan(value=contract.value, starts_on=starts_on, ends_on=ends_on)
    Milestone.objects.bulk_create(Milestone(contract=contract, sequence=n, **m) for n, m in enumerate(plan, start=1))
    audit_record(actor=None, verb="contract.create", obj=contract, after={"value": contract.value, "tender": tender.pk})
    return contract


@transaction.atomic
def contract_set_plan(*, actor: User, contract_id: int, starts_on: dt.date, ends_on: dt.date,
                      plan: list[dict]) -> Contract:
    contract = _lock(contract_id)
    if not _office_side(actor, contract):
        raise NotFound()
    if contract.status != Contract.Status.DRAFT:
        raise Conflict(_("The milestone plan can be changed only while the contract is a draft."))
    if ends_on <= starts_on:
        raise ValidationFailed(_("The term must end after it starts."))
    plan = [{"title": m["title"], "due_on": m["due_on"], "amount": Decimal(m["amount"])} for m in plan]
    problems = milestone_plan_problems(value=contract.value, starts_on=starts_on, ends_on=ends_on, plan=plan)
    if problems:
        raise ValidationFailed(problems[0], reasons=problems)
    contract.starts_on, contract.ends_on = starts_on, ends_on
    contract.save(update_fields=["starts_on", "ends_on"])
    contract.milestones.all().delete()
    Milestone.objects.bulk_create(Milestone(contract=contract, sequence=n, **m) for n, m in enumerate(plan, start=1))
    audit_record(actor=actor, verb="contract.plan", obj=contract,
                 after={"milestones": [{**m, "amount": str(m["amount"])} for m in plan]})
    return contract


@transaction.atomic
def contract_send_for_signature(*, actor: User, contract_id: int) -> Contract:
    contract = _lock(contract_id)
    if not _office_side(actor, contract):
        raise NotFound()
    return transition(contract, Contract.Status.PENDING_SIGNATURE, actor=actor, verb="contract.send_for_signature")


@transaction.atomic
def contract_recall(*, actor: User, contract_id: int) -> Contract:
    """The office takes a contract awaiting signatures back to draft (to correct the plan); signatures so far lapse."""
    contract = _lock(contract_id)
    if not _office_side(actor, contract):
        raise NotFound()
    fields = [f"{side}_signed_{what}" for side in ("office", "provider") for what in ("by", "at", "ip")]
    before = {"office_signed": bool(contract.office_signed_at), "provider_signed": bool(contract.provider_signed_at)}
    if contract.status == Contract.Status.PENDING_SIGNATURE:
        for field in fields:
            setattr(contract, field, None)
    return transition(contract, Contract.Status.DRAFT, actor=actor, verb="contract.recall", fields=fields,
                      note={"lapsed": before})


@transaction.atomic
def contract_sign(*, actor: User, contract_id: int, ip: str | None) -> Contract:
    """Each party accepts the contract; the person, time and IP are recorded. Both signed → active."""
    contract = _lock(contract_id)
    _party_or_404(actor, contract)
    if contract.status != Contract.Status.PENDING_SIGNATURE:
        raise Conflict(_("This contract is not awaiting signatures."))
    now = timezone.now()
    if _office_side(actor, contract) and contract.office_signed_at is None:
        side = "office"
    elif _provider_side(actor, contract) and contract.provider_signed_at is None:
        side = "provider"
    else:
        raise Conflict(_("Your side has already signed this contract."))
    setattr(contract, f"{side}_signed_by", actor)
    setattr(contract, f"{side}_signed_at", now)
    setattr(contract, f"{side}_signed_ip", ip)
    fields = [f"{side}_signed_by", f"{side}_signed_at", f"{side}_signed_ip"]
    contract.save(update_fields=fields)
    audit_record(actor=actor, verb=f"contract.sign_{side}", obj=contract, after={"ip": ip})
    if contract.office_signed_at and contract.provider_signed_at:
        transition(contract, Contract.Status.ACTIVE, actor=actor, verb="contract.activate")
        _queue_document(contract)
    return contract


def _queue_document(contract: Contract) -> None:
    from marketplace.outbox import enqueue

    from ..tasks import contract_generate_document

    enqueue(contract_generate_document, args=[contract.pk])


@transaction.atomic
def contract_document_generate(*, contract_id: int) -> ContractDocument:
    """Render the contract as a Chinese PDF (甲方/乙方, 服务内容, 履约节点, 付款方式, 违约责任, signatures), store
    it privately as the next version, and keep its SHA-256."""
    contract = Contract.objects.select_related("office", "provider", "tender", "office_signed_by",
                                               "provider_signed_by").get(pk=contract_id)
    version = (contract.documents.aggregate(v=Max("version"))["v"] or 0) + 1
    with translation.override(settings.LANGUAGE_CODE):
        data = render_pdf("contracts/pdf/contract.html",
                          {"contract": contract, "milestones": contract.milestones.order_by("sequence"),
                           "variations": contract.variations.filter(status=ContractVariation.Status.ACCEPTED)
                           .select_related("decided_by").order_by("number"),
                           "version": version},
                          base_url=settings.WAGTAILADMIN_BASE_URL, running_title=contract.title)
    document = ContractDocument(contract=contract, version=version, sha256=sha256_hex(data))
    document.file.save(f"contract-{contract.pk}-v{version}.pdf", ContentFile(data), save=False)
    document.save()
    audit_record(actor=None, verb="contract.document", obj=contract, after={"version": version,
                                                                            "sha256": document.sha256})
    return document


@transaction.atomic
def contract_terminate(*, actor: User, contract_id: int, reason: str) -> Contract:
    contract = _lock(contract_id)
    if not (policy.can_approve(actor, contract.office_id) or policy.is_operator(actor)):
        raise PermissionDenied()
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for terminating the contract."))
    contract.termination_reason = reason.strip()
    contract.closed_at = timezone.now()
    transition(contract, Contract.Status.TERMINATED, actor=actor, verb="contract.terminate",
               fields=["termination_reason", "closed_at"], note={"reason": contract.termination_reason})
    contract_closed.send(sender=Contract, contract=contract)
    return contract
