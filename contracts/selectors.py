"""Reads with rules for contracts: the public summary, each party's working view, and what is due from whom."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from marketplace import policy
from marketplace.errors import NotFound
from marketplace.models import OfficeStaff
from marketplace.workdays import working_days_between

from .models import Contract, ContractVariation, Milestone, MilestoneEvidenceFile, Payment

PUBLIC_STATUSES = (Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.TERMINATED)
OFFICE_SIDE_ROLES = (OfficeStaff.Role.PROCUREMENT, OfficeStaff.Role.HEAD)


def _local_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def acceptance_cutoff(now: dt.datetime | None = None) -> dt.date:
    """Evidence submitted on a local date before this one has waited more than CONTRACT_ACCEPTANCE_WORKING_DAYS
    working days (counted after the day of submission, up to today) for the office's decision: it is overdue.

    The one place that rule lives; `Milestone.acceptance_overdue` and the lists' counts compare against it.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    needed = settings.CONTRACT_ACCEPTANCE_WORKING_DAYS + 1

    def enough(back: int) -> bool:  # are there `needed` working days after (today - back) up to today?
        return working_days_between(_local_noon(today - dt.timedelta(days=back)), now) >= needed

    # The fewest calendar days back that hold `needed` working days: start from an ordinary week's guess
    # (five working days in seven), then step; usually two queries.
    back = -(-needed * 7 // 5)
    if enough(back):
        while back > needed and enough(back - 1):
            back -= 1
    else:
        back += 1
        while not enough(back):
            back += 1
    return today - dt.timedelta(days=back - 1)


def _cutoff_start(cutoff: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))


def overdue_milestones_q(*, today: dt.date, cutoff: dt.date, prefix: str = "") -> tuple[Q, Q]:
    """(late evidence, late acceptance) as filters on milestones of active contracts, for counts and queries."""
    p = prefix  # "" on milestones, "milestones__" on contracts
    active = Q(status=Contract.Status.ACTIVE) if p else Q(contract__status=Contract.Status.ACTIVE)
    late_evidence = active & Q(**{f"{p}status": Milestone.Status.SCHEDULED, f"{p}due_on__lt": today})
    late_acceptance = active & Q(**{f"{p}status": Milestone.Status.SUBMITTED,
                                    f"{p}submitted_at__lt": _cutoff_start(cutoff)})
    return late_evidence, late_acceptance


def _with_milestones(qs):
    return qs.select_related("office", "provider", "tender").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.select_related("payment").order_by("sequence"))
    )


def _flag_overdue(contract: Contract) -> Contract:
    """Mark each milestone's lateness for the templates (only an active contract's milestones can be late)."""
    today = timezone.localdate()
    cutoff = acceptance_cutoff() if contract.status == Contract.Status.ACTIVE else None
    for m in contract.milestones.all():
        m.late_evidence = cutoff is not None and m.submission_overdue(today)
        m.late_acceptance = cutoff is not None and m.acceptance_overdue(cutoff)
    return contract


def contract_get_public(*, pk: int) -> Contract:
    contract = _with_milestones(Contract.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)).first()
    if contract is None:
        raise NotFound()
    return contract


def contract_get_for_party(*, user, pk: int) -> Contract:
    """The working view, for the office's staff and the provider's members; 'not found' for anyone else."""
    contract = _with_milestones(Contract.objects.filter(pk=pk)).first()
    if contract is None:
        raise NotFound()
    # The office side is its procurement officers and head (evaluators score bids, not contracts), plus operators.
    office_side = policy.can_run_procurement(user, contract.office_id) or policy.is_operator(user)
    if not (office_side or policy.is_member(user, contract.provider_id)):
        raise NotFound()
    return contract


def contract_get_work(*, user, pk: int) -> Contract:
    """The working view with the evidence files, the variations and each milestone's lateness."""
    contract = contract_get_for_party(user=user, pk=pk)
    files = MilestoneEvidenceFile.objects.filter(milestone__contract=contract).order_by("uploaded_at", "pk")
    by_milestone: dict[int, list] = {}
    for f in files:
        by_milestone.setdefault(f.milestone_id, []).append(f)
    for m in contract.milestones.all():
        m.files = by_milestone.get(m.pk, [])
    contract.variation_list = list(
        ContractVariation.objects.filter(contract=contract).select_related("proposed_by", "decided_by")
    )
    contract.open_variation = next((v for v in contract.variation_list
                                    if v.status == ContractVariation.Status.PROPOSED), None)
    return _flag_overdue(contract)


def evidence_file_get_for_party(*, user, contract_id: int, file_id: int) -> MilestoneEvidenceFile:
    contract = contract_get_for_party(user=user, pk=contract_id)
    evidence = MilestoneEvidenceFile.objects.filter(pk=file_id, milestone__contract=contract).first()
    if evidence is None:
        raise NotFound()
    return evidence


def _office_side_ids(user) -> set[int]:
    """The offices whose contracts this user manages: procurement officers and heads, not evaluators."""
    return {office_id for office_id, roles in policy.principal(user).office_roles.items()
            if roles & set(OFFICE_SIDE_ROLES)}


def contracts_of_user(*, user, cutoff: dt.date | None = None) -> QuerySet[Contract]:
    """The user's contracts (office side or provider side), with the number of late milestones of each."""
    p = policy.principal(user)
    late_evidence, late_acceptance = overdue_milestones_q(today=timezone.localdate(),
                                                          cutoff=cutoff or acceptance_cutoff(), prefix="milestones__")
    return (
        Contract.objects.filter(Q(office_id__in=_office_side_ids(user)) | Q(provider_id__in=p.organisation_ids))
        .select_related("office", "provider")
        .annotate(late_evidence=Count("milestones", filter=late_evidence),
                  late_acceptance=Count("milestones", filter=late_acceptance))
        .order_by("-created_at")
    )


@dataclass
class Dashboard:
    contracts: list
    evidence_due: list  # milestones the provider side must deliver
    acceptance_due: list  # milestones the office side must decide
    payments_due: list  # payments the office side must make
    payments: list  # recent payments on the user's contracts


def contract_dashboard(*, user) -> Dashboard:
    """Each party's contracts, what is due from them (with lateness), and the payments."""
    p = policy.principal(user)
    offices, organisations = _office_side_ids(user), p.organisation_ids
    today, cutoff = timezone.localdate(), acceptance_cutoff()
    milestones = Milestone.objects.filter(contract__status=Contract.Status.ACTIVE).select_related(
        "contract", "contract__office", "contract__provider")
    evidence_due = list(milestones.filter(contract__provider_id__in=organisations,
                                          status=Milestone.Status.SCHEDULED).order_by("due_on", "pk")[:50])
    acceptance_due = list(milestones.filter(contract__office_id__in=offices,
                                            status=Milestone.Status.SUBMITTED).order_by("submitted_at", "pk")[:50])
    for m in evidence_due:
        m.late_evidence = m.submission_overdue(today)
    for m in acceptance_due:
        m.late_acceptance = m.acceptance_overdue(cutoff)
    mine = Q(milestone__contract__office_id__in=offices) | Q(milestone__contract__provider_id__in=organisations)
    payments = Payment.objects.filter(mine).select_related("milestone", "milestone__contract")
    payments_due = list(payments.filter(milestone__contract__office_id__in=offices,
                                        status__in=(Payment.Status.PENDING, Payment.Status.FAILED))
                        .order_by("created_at")[:50])
    return Dashboard(contracts=list(contracts_of_user(user=user, cutoff=cutoff)[:100]), evidence_due=evidence_due,
                     acceptance_due=acceptance_due, payments_due=payments_due,
                     payments=list(payments.order_by("-created_at")[:50]))


def contracts_of_provider(*, organisation_id: int) -> QuerySet[Contract]:
    return Contract.objects.filter(provider_id=organisation_id, status__in=PUBLIC_STATUSES).select_related("office")


def payment_get(*, pk: int) -> Payment:
    payment = Payment.objects.filter(pk=pk).first()
    if payment is None:
        raise NotFound()
    return payment
