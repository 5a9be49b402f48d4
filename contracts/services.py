"""Every state change of contracts: creation from an award, the milestone plan, signing, evidence,
acceptance, payment and closure."""

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

from .models import Contract, ContractDocument, Milestone, Payment
from .signals import contract_closed

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


def _lock(pk: int) -> Contract:
    contract = Contract.objects.select_for_update().filter(pk=pk).first()
    if contract is None:
        raise NotFound()
    return contract


def _office_side(actor, contract) -> bool:
    return policy.can_run_procurement(actor, contract.office_id)


def _provider_side(actor, contract) -> bool:
    return policy.is_member(actor, contract.provider_id)


def _party_or_404(actor, contract) -> None:
    if not (_office_side(actor, contract) or _provider_side(actor, contract)):
        raise NotFound()


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
    from .tasks import contract_generate_document

    transaction.on_commit(lambda: contract_generate_document.delay(contract.pk))


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
                           "version": version},
                          base_url=settings.WAGTAILADMIN_BASE_URL, running_title=contract.title)
    document = ContractDocument(contract=contract, version=version, sha256=sha256_hex(data))
    document.file.save(f"contract-{contract.pk}-v{version}.pdf", ContentFile(data), save=False)
    document.save()
    audit_record(actor=None, verb="contract.document", obj=contract, after={"version": version,
                                                                            "sha256": document.sha256})
    return document


def _lock_milestone(pk: int) -> tuple[Milestone, Contract]:
    milestone = Milestone.objects.filter(pk=pk).first()
    if milestone is None:
        raise NotFound()
    contract = _lock(milestone.contract_id)
    return Milestone.objects.select_for_update().get(pk=pk), contract


@transaction.atomic
def milestone_submit_evidence(*, actor: User, milestone_id: int, report: str) -> Milestone:
    milestone, contract = _lock_milestone(milestone_id)
    if not _provider_side(actor, contract):
        raise NotFound()
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("Evidence is submitted while the contract is active."))
    if not report.strip():
        raise ValidationFailed(_("Describe what was delivered."))
    now = timezone.now()
    milestone.evidence_report = report.strip()
    milestone.submitted_at = now
    milestone.first_submitted_at = milestone.first_submitted_at or now
    return transition(milestone, Milestone.Status.SUBMITTED, actor=actor, verb="milestone.submit",
                      fields=["evidence_report", "submitted_at", "first_submitted_at"])


@transaction.atomic
def milestone_accept(*, actor: User, milestone_id: int, amount: Decimal | None = None, reason: str = "") -> Milestone:
    """Accept in full, or in part with an amount and a reason. A payment for the accepted amount is created."""
    milestone, contract = _lock_milestone(milestone_id)
    if not _office_side(actor, contract):
        raise NotFound()
    amount = milestone.amount if amount is None else Decimal(amount)
    if amount <= 0 or amount > milestone.amount:
        raise ValidationFailed(_("The accepted amount must be above zero and at most ¥%(amount)s.")
                               % {"amount": f"{milestone.amount:,.2f}"})
    if amount < milestone.amount and not reason.strip():
        raise ValidationFailed(_("A partial acceptance needs a reason."))
    milestone.accepted_amount = amount
    milestone.decision_reason = reason.strip()
    milestone.decided_at = timezone.now()
    transition(milestone, Milestone.Status.ACCEPTED, actor=actor, verb="milestone.accept",
               fields=["accepted_amount", "decision_reason", "decided_at"], note={"amount": amount})
    payment = Payment.objects.create(milestone=milestone, amount=amount)
    audit_record(actor=actor, verb="payment.create", obj=payment, after={"amount": amount})
    return milestone


@transaction.atomic
def milestone_reject(*, actor: User, milestone_id: int, reason: str) -> Milestone:
    milestone, contract = _lock_milestone(milestone_id)
    if not _office_side(actor, contract):
        raise NotFound()
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for rejecting the evidence."))
    milestone.decision_reason = reason.strip()
    milestone.rejection_count += 1
    transition(milestone, Milestone.Status.REJECTED, actor=actor, verb="milestone.reject",
               fields=["decision_reason", "rejection_count"], note={"reason": milestone.decision_reason})
    return transition(milestone, Milestone.Status.SCHEDULED, actor=actor, verb="milestone.reschedule")


@transaction.atomic
def payment_record_offline(*, actor: User, payment_id: int, reference: str) -> Payment:
    """Without online payments, the office records a payment made outside the platform, with its reference."""
    payment = Payment.objects.select_related("milestone").filter(pk=payment_id).first()
    if payment is None:
        raise NotFound()
    contract = _lock(payment.milestone.contract_id)
    if not _office_side(actor, contract):
        raise NotFound()
    if not reference.strip():
        raise ValidationFailed(_("Enter the payment reference (for example the bank transfer number)."))
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    payment.method = Payment.Method.OFFLINE
    payment.reference = reference.strip()
    payment.recorded_by = actor
    return _payment_succeeded(payment, contract, actor=actor, fields=["method", "reference", "recorded_by"])


def _payment_succeeded(payment: Payment, contract: Contract, *, actor, fields=()) -> Payment:
    payment.paid_at = timezone.now()
    transition(payment, Payment.Status.SUCCEEDED, actor=actor, verb="payment.succeed", fields=["paid_at", *fields],
               note={"method": payment.method, "reference": payment.reference})
    milestone = Milestone.objects.select_for_update().get(pk=payment.milestone_id)
    transition(milestone, Milestone.Status.PAID, actor=actor, verb="milestone.paid")
    if not contract.milestones.exclude(status=Milestone.Status.PAID).exists():
        contract.closed_at = timezone.now()
        transition(contract, Contract.Status.COMPLETED, actor=actor, verb="contract.complete", fields=["closed_at"])
        contract_closed.send(sender=Contract, contract=contract)
    return payment


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
