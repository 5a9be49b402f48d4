"""A completed or terminated contract opens its review window and refreshes both parties' indicators;
a succeeded payment refreshes the office's (once the payment's transaction commits)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from contracts.models import Payment
from contracts.signals import contract_closed

from . import indicators, services


@receiver(contract_closed)
def open_review_window(sender, contract, **kwargs):
    services.review_window_open(contract=contract)
    indicators.contract_indicators_update(contract)


@receiver(post_save, sender=Payment)
def payment_saved(sender, instance, update_fields=None, **kwargs):
    # contracts announces no signal of its own for payments; the status change is saved through the state machine.
    if instance.status != Payment.Status.SUCCEEDED or (update_fields is not None and "status" not in update_fields):
        return
    office_id = Payment.objects.filter(pk=instance.pk).values_list("milestone__contract__office_id", flat=True).first()
    if office_id is not None:
        transaction.on_commit(lambda: indicators.office_indicators_update(office_id))
