"""Objective indicators, computed from contracts, milestones, payments and objections: nobody writes them.

Provider (organisation):
- on-time milestone rate: of the milestones that are due, the share whose evidence was FIRST submitted on or
  before the due date (local date). "Due" means evidence was submitted, or the due date has passed (before today,
  and before the contract closed if it did) without any: not submitting does not improve the rate;
- first-time acceptance rate: of the accepted (or paid) milestones, the share accepted with no rejection before;
- contracts completed and contracts terminated.
Office:
- median working days from evidence submitted (the submission that was accepted) to acceptance
  (marketplace.workdays: working days strictly after the submission day up to the acceptance day);
- median calendar days from acceptance to payment (succeeded or later refunded payments);
- share of late payments: a payment is late when it succeeded more than PAYMENT_LATE_WORKING_DAYS working days
  after the milestone's acceptance, or when it is still unpaid after that many working days. The share is over
  the payments made plus the unpaid ones already past that limit;
- objections upheld against its tenders.
They are recomputed when a contract closes, when a payment succeeds and every night.
"""

import statistics

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from bids.models import Objection
from contracts.models import Contract, Milestone, Payment
from marketplace.models import Organisation, StreetOffice
from marketplace.services import reputation_indicators_set
from marketplace.workdays import working_days_between

STARTED = (Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.TERMINATED)
ACCEPTED = (Milestone.Status.ACCEPTED, Milestone.Status.PAID)
PAID = (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED)


def _local_date(value):
    return timezone.localtime(value).date()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _median(values: list) -> float | None:
    return round(float(statistics.median(values)), 1) if values else None


def provider_indicators(organisation_id: int) -> dict:
    today = _local_date(timezone.now())
    due = on_time = accepted = first_time = 0
    milestones = Milestone.objects.filter(contract__provider_id=organisation_id, contract__status__in=STARTED)
    for due_on, first_submitted_at, status, rejections, closed_at in milestones.values_list(
            "due_on", "first_submitted_at", "status", "rejection_count", "contract__closed_at"):
        if first_submitted_at is not None:
            due += 1
            on_time += _local_date(first_submitted_at) <= due_on
        else:
            cutoff = min(today, _local_date(closed_at)) if closed_at else today
            due += due_on < cutoff
        if status in ACCEPTED:
            accepted += 1
            first_time += rejections == 0
    return {
        "milestones_due": due, "on_time": on_time, "on_time_rate": _rate(on_time, due),
        "milestones_accepted": accepted, "first_time": first_time, "first_time_rate": _rate(first_time, accepted),
    }


def office_indicators(office_id: int) -> dict:
    now = timezone.now()
    limit = settings.PAYMENT_LATE_WORKING_DAYS
    acceptance = [
        working_days_between(submitted, decided)
        for submitted, decided in Milestone.objects.filter(
            contract__office_id=office_id, status__in=ACCEPTED, submitted_at__isnull=False, decided_at__isnull=False,
        ).values_list("submitted_at", "decided_at")
    ]
    payment_days, counted, late = [], 0, 0
    payments = Payment.objects.filter(milestone__contract__office_id=office_id, milestone__decided_at__isnull=False)
    for status, paid_at, decided in payments.values_list("status", "paid_at", "milestone__decided_at"):
        if status in PAID and paid_at is not None:
            payment_days.append((_local_date(paid_at) - _local_date(decided)).days)
            counted += 1
            late += working_days_between(decided, paid_at) > limit
        elif working_days_between(decided, now) > limit:
            counted += 1
            late += 1
    return {
        "acceptance_working_days_median": _median(acceptance), "acceptances": len(acceptance),
        "payment_days_median": _median(payment_days), "payments": len(payment_days),
        "late_payments": late, "payments_counted": counted, "late_payment_rate": _rate(late, counted),
        "late_after_working_days": limit,
        "objections_upheld": Objection.objects.filter(tender__office_id=office_id,
                                                      status=Objection.Status.UPHELD).count(),
    }


def provider_indicators_update(organisation_id: int) -> None:
    organisation = Organisation.objects.get(pk=organisation_id)
    counts = Contract.objects.filter(provider_id=organisation_id).aggregate(
        completed=_count(Contract.Status.COMPLETED), terminated=_count(Contract.Status.TERMINATED))
    reputation_indicators_set(subject=organisation, indicators=provider_indicators(organisation_id),
                              contracts_completed=counts["completed"], contracts_terminated=counts["terminated"])


def office_indicators_update(office_id: int) -> None:
    office = StreetOffice.objects.get(pk=office_id)
    reputation_indicators_set(subject=office, indicators=office_indicators(office_id))


def _count(status):
    return Count("pk", filter=Q(status=status))


def contract_indicators_update(contract: Contract) -> None:
    provider_indicators_update(contract.provider_id)
    office_indicators_update(contract.office_id)


def indicators_update_all() -> int:
    """Nightly: every organisation that has had a contract, and every office."""
    providers = set(Contract.objects.values_list("provider_id", flat=True))
    for pk in providers:
        provider_indicators_update(pk)
    offices = list(StreetOffice.objects.values_list("pk", flat=True))
    for pk in offices:
        office_indicators_update(pk)
    return len(providers) + len(offices)
