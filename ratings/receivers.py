"""A completed or terminated contract opens its review window."""

from django.dispatch import receiver

from contracts.signals import contract_closed

from . import services


@receiver(contract_closed)
def open_review_window(sender, contract, **kwargs):
    services.review_window_open(contract=contract)
