"""Payments for accepted milestones: recording, success and what follows it."""




from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.errors import NotFound, ValidationFailed
from marketplace.models import User
from marketplace.statemachine import transition

from ..models import Contract, Milestone, Payment
from ..signals import contract_closed
from ._common import _lock, _office_side


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


