"""Milestones: evidence, acceptance (in full or in part) and rejection."""



from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.models import User
from marketplace.statemachine import transition

from ..models import Contract, Milestone, Payment
from ._common import _lock, _office_side, _provider_side


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


