"""Shared helpers of the contract services: locking and which side an actor is on."""

from marketplace import policy
from marketplace.errors import NotFound

from ..models import Contract


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
