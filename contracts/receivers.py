"""A final award creates the draft contract."""

from django.dispatch import receiver

from bids.signals import tender_awarded

from . import services


@receiver(tender_awarded)
def create_contract_on_award(sender, tender, bid, **kwargs):
    services.contract_create_from_award(tender=tender, bid=bid)
