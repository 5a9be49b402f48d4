"""Stripe webhooks that localstripe signs and delivers to a live Django server: they settle a payment whose worker
died, a duplicate is a no-op, a bad signature is refused, late or out-of-order events never move a payment back,
and an event that arrives while its payment row is held by an uncommitted transaction is kept and applied later."""

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import close_old_connections, connection, transaction

from contracts import services
from contracts import stripe_client as sc
from contracts.models import Payment, StripeEvent
from contracts.tasks import payments_reconcile
from marketplace.audit import AuditEvent
from tests.contracts.stripe_fixtures import *  # noqa: F403
from tests.contracts.stripe_fixtures import WEBHOOK_SECRET, make_accepted_payment, wait_for
from tests.contracts.test_stripe_payments import DECLINING_CARD, Killed, die_after

pytestmark = pytest.mark.django_db(transaction=True)


def post_event(url: str, event: dict, *, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    """Deliver an event the way Stripe signs it: HMAC-SHA256 of "<timestamp>.<body>" with the endpoint secret."""
    body = json.dumps(event).encode()
    if signature is None:
        stamp = int(time.time())
        digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        signature = f"t={stamp},v1={digest}"
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
    request = urllib.request.Request(url + "/stripe/webhook/", data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live test server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def event_for(intent_id: str, type_: str = "payment_intent.succeeded") -> StripeEvent | None:
    return StripeEvent.objects.filter(type=type_, payload__data__object__id=intent_id).first()


def test_a_signed_webhook_from_localstripe_settles_a_payment_whose_worker_died(world, stripe_webhooks, live_server,
                                                                               monkeypatch):
    payment = make_accepted_payment(world)
    die_after(monkeypatch, "confirm_payment_intent")
    with pytest.raises(Killed):
        services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    monkeypatch.undo()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING

    stored = wait_for(lambda: StripeEvent.objects.filter(payload__data__object__id=payment.payment_intent_id,
                                                         processed_at__isnull=False).first())
    assert stored.type == "payment_intent.succeeded" and stored.outcome == "succeeded"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert len(stripe_webhooks.charges_of(payment)) == 1

    # The same event again (Stripe redelivers at least once): a no-op.
    audit_before = AuditEvent.objects.count()
    assert post_event(live_server.url, stored.payload) == (200, "duplicate")
    assert StripeEvent.objects.filter(event_id=stored.event_id).count() == 1
    assert AuditEvent.objects.count() == audit_before
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED


def test_a_bad_or_missing_signature_is_refused_with_400_and_nothing_is_stored(world, stripe_webhooks, live_server):
    event = {"id": "evt_forged", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_forged"}}}
    assert post_event(live_server.url, event, secret="whsec_wrong")[0] == 400
    assert post_event(live_server.url, event, signature="")[0] == 400
    assert post_event(live_server.url, event, signature="t=1,v1=deadbeef")[0] == 400
    assert not StripeEvent.objects.filter(event_id="evt_forged").exists()


def test_late_and_out_of_order_events_never_move_a_payment_back(world, stripe_webhooks, live_server):
    payment = make_accepted_payment(world)
    with pytest.raises(sc.PaymentDeclined):
        services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method=DECLINING_CARD)
    declined_intent = Payment.objects.get(pk=payment.pk).payment_intent_id
    # Paid again at once: localstripe delivers attempt 1's payment_failed about a second later, after the success.
    payment = services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    assert payment.status == Payment.Status.SUCCEEDED
    late = wait_for(lambda: event_for(declined_intent, "payment_intent.payment_failed"))
    wait_for(lambda: StripeEvent.objects.get(pk=late.pk).processed_at, settle=0)
    # attempt 1's intent is no longer the payment's: the event changes nothing
    assert StripeEvent.objects.get(pk=late.pk).outcome == "ignored: no payment for this intent"
    ok = wait_for(lambda: event_for(payment.payment_intent_id), settle=0)
    wait_for(lambda: StripeEvent.objects.get(pk=ok.pk).processed_at, settle=0)
    assert StripeEvent.objects.get(pk=ok.pk).outcome == "no-op"  # the pay request had recorded it already
    # A payment_failed for the succeeded intent (Stripe does not promise order): Stripe is asked, nothing regresses.
    snapshot = {**ok.payload["data"]["object"], "status": "requires_payment_method"}
    status, outcome = post_event(live_server.url, {"id": "evt_out_of_order_" + payment.payment_intent_id,
                                                   "type": "payment_intent.payment_failed",
                                                   "data": {"object": snapshot}})
    assert (status, outcome) == (200, "no-op")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks held by a second connection "
                    "(SQLite has no SELECT ... FOR UPDATE)")
def test_a_webhook_arriving_while_the_row_is_not_committed_is_kept_and_applied_by_reconciliation(
        world, stripe_webhooks, monkeypatch):
    payment = make_accepted_payment(world)
    locked, release = threading.Event(), threading.Event()

    def worker_mid_write():
        """Another worker holds the contract and payment rows in a transaction it never commits (it dies)."""
        try:
            with transaction.atomic():
                list(Payment.objects.select_for_update().filter(pk=payment.pk))
                locked.set()
                release.wait(20)
                raise Killed("rolled back")
        except Killed:
            pass
        finally:
            close_old_connections()
            connection.close()

    die_after(monkeypatch, "confirm_payment_intent")
    with pytest.raises(Killed):
        services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    monkeypatch.undo()
    holder = threading.Thread(target=worker_mid_write)
    holder.start()  # localstripe waits a second before it delivers; the row is locked well before
    try:
        assert locked.wait(5)
        intent_id = Payment.objects.get(pk=payment.pk).payment_intent_id
        stored = wait_for(lambda: event_for(intent_id))
        time.sleep(0.3)
        stored.refresh_from_db()
        assert stored.processed_at is None  # kept, answered 409 so that Stripe would deliver it again
    finally:
        release.set()
        holder.join(10)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PROCESSING

    counts = payments_reconcile.apply().get()
    assert counts["events"] == 1
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.outcome == "succeeded"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert len(stripe_webhooks.charges_of(payment)) == 1
