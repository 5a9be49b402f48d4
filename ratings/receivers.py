"""A completed or terminated contract opens its review window and refreshes both parties' indicators;
a succeeded payment refreshes the office's (once the payment's transaction commits)."""

from django.db import transaction
from django.dispatch import receiver

from contracts.signals import contract_closed, payment_succeeded

from . import indicators, services


@receiver(contract_closed)
def open_review_window(sender, contract, **kwargs):
    services.review_window_open(contract=contract)
    indicators.contract_indicators_update(contract)


@receiver(payment_succeeded)
def payment_made(sender, payment, contract, **kwargs):
    office_id = contract.office_id
    transaction.on_commit(lambda: indicators.office_indicators_update(office_id))
