"""Reads with rules for contracts: the public summary, and each party's working view."""

from django.db.models import Prefetch, Q, QuerySet

from marketplace import policy
from marketplace.errors import NotFound

from .models import Contract, Milestone, Payment

PUBLIC_STATUSES = (Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.TERMINATED)


def _with_milestones(qs):
    return qs.select_related("office", "provider", "tender").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.select_related("payment").order_by("sequence"))
    )


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


def contracts_of_user(*, user) -> QuerySet[Contract]:
    p = policy.principal(user)
    return (
        Contract.objects.filter(Q(office_id__in=p.office_ids) | Q(provider_id__in=p.organisation_ids))
        .select_related("office", "provider")
        .order_by("-created_at")
    )


def contracts_of_provider(*, organisation_id: int) -> QuerySet[Contract]:
    return Contract.objects.filter(provider_id=organisation_id, status__in=PUBLIC_STATUSES).select_related("office")


def payment_get(*, pk: int) -> Payment:
    payment = Payment.objects.filter(pk=pk).first()
    if payment is None:
        raise NotFound()
    return payment
