"""Paying accepted milestones through Stripe (localstripe on 127.0.0.1, driven through the real `stripe` library):
success, a declined card and its retry, a worker killed mid-payment, every payment transition, refunds by
operators, and what the pages say with and without Stripe."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from contracts import services
from contracts import stripe_client as sc
from contracts.models import Milestone, Payment
from contracts.tasks import payments_reconcile
from marketplace.audit import AuditEvent
from marketplace.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from marketplace.statemachine import transition
from tests.contracts.stripe_fixtures import *  # noqa: F403
from tests.contracts.stripe_fixtures import SECRET_KEY, make_accepted_payment

pytestmark = pytest.mark.django_db

DECLINING_CARD = "pm_card_chargeCustomerFail"  # localstripe declines charges on 4000000000000341


class Killed(BaseException):
    """The worker dies: nothing after this point runs, no `except Exception` catches it."""


def die_after(monkeypatch, name: str):
    """The named stripe_client call really happens, then the worker dies before using its answer."""
    real = getattr(sc, name)

    def call_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise Killed(name)

    monkeypatch.setattr(sc, name, call_then_die)


def test_the_office_pays_a_milestone_in_cny_fen_and_it_is_recorded_once(world, stripe_on, accepted_payment):
    payment = services.payment_pay(actor=world.procurement_x, payment_id=accepted_payment.pk,
                                   payment_method="pm_card_visa")
    assert payment.status == Payment.Status.SUCCEEDED and payment.method == Payment.Method.STRIPE
    assert payment.attempt == 1 and payment.payment_intent_id.startswith("pi_") and payment.paid_at
    assert Milestone.objects.get(pk=payment.milestone_id).status == Milestone.Status.PAID
    [intent] = stripe_on.intents_of(payment)
    assert intent["id"] == payment.payment_intent_id
    assert intent["amount"] == payment.amount_fen == 2940000 and intent["currency"] == "cny"
    assert intent["metadata"] == {"payment_id": str(payment.pk), "attempt": "1", "milestone_id": str(payment.milestone_id)}
    [charge] = stripe_on.charges_of(payment)
    assert charge["amount"] == 2940000
    verbs = list(AuditEvent.objects.filter(object_id=str(payment.pk), verb__startswith="payment.").order_by("pk")
                 .values_list("verb", flat=True))
    assert verbs == ["payment.create", "payment.process", "payment.intent", "payment.succeed"]


def test_a_declined_card_gives_a_clear_message_keeps_the_milestone_accepted_and_can_be_paid_again(
        world, stripe_on, accepted_payment):
    with pytest.raises(sc.PaymentDeclined) as declined, translation.override("en"):
        services.payment_pay(actor=world.procurement_x, payment_id=accepted_payment.pk, payment_method=DECLINING_CARD)
    assert declined.value.message == ("The card was declined: Your card was declined; the milestone stays accepted "
                                      "and you can pay again.")
    payment = Payment.objects.get(pk=accepted_payment.pk)
    assert payment.status == Payment.Status.FAILED and payment.failure_message == "Your card was declined."
    assert Milestone.objects.get(pk=payment.milestone_id).status == Milestone.Status.ACCEPTED
    assert stripe_on.charges_of(payment) == []
    first_intent = payment.payment_intent_id

    payment = services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    assert payment.status == Payment.Status.SUCCEEDED and payment.attempt == 2 and not payment.failure_message
    assert payment.payment_intent_id != first_intent  # a new intent, under the attempt-2 key
    assert len(stripe_on.intents_of(payment)) == 2 and len(stripe_on.charges_of(payment)) == 1
    assert Milestone.objects.get(pk=payment.milestone_id).status == Milestone.Status.PAID


@pytest.mark.parametrize("step", ["create_payment_intent", "confirm_payment_intent"])
def test_a_worker_killed_right_after_the_stripe_call_never_charges_twice(world, stripe_on, accepted_payment,
                                                                         monkeypatch, step):
    """localstripe ignores Idempotency-Key, so this holds by design (intent stored before it is confirmed)."""
    die_after(monkeypatch, step)
    with pytest.raises(Killed):
        services.payment_pay(actor=world.procurement_x, payment_id=accepted_payment.pk, payment_method="pm_card_visa")
    payment = Payment.objects.get(pk=accepted_payment.pk)
    assert payment.status == Payment.Status.PROCESSING  # the kill left it mid-way
    assert len(stripe_on.charges_of(payment)) == (1 if step == "confirm_payment_intent" else 0)
    monkeypatch.undo()

    payment = services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    assert payment.status == Payment.Status.SUCCEEDED and payment.attempt == 1
    assert len(stripe_on.charges_of(payment)) == 1
    assert Milestone.objects.get(pk=payment.milestone_id).status == Milestone.Status.PAID


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second process needs a database it can open "
                    "(the SQLite test database lives in this process's memory)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_that_dies_after_the_stripe_call_does_not_double_charge(world, stripe_on):
    """The pay step runs in a real second process that calls os._exit right after Stripe charged the card (the
    confirm call returned), before any database write; then it runs again. (Dying after the create call is
    covered in-process above; a process start costs ~15 s on a loaded machine.)"""
    step = "confirm_payment_intent"
    import os
    import subprocess
    import sys

    payment = make_accepted_payment(world)
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_API_BASE": stripe_on.url}
    code = (
        "import os, django\n"
        "django.setup()\n"
        "from contracts import services, stripe_client as sc\n"
        "from marketplace.models import User\n"
        f"real = sc.{step}\n"
        "def call_then_die(*a, **k):\n"
        "    real(*a, **k)\n"
        "    os._exit(9)\n"
        f"sc.{step} = call_then_die\n"
        f"services.payment_pay(actor=User.objects.get(pk={world.procurement_x.pk}), payment_id={payment.pk},"
        " payment_method='pm_card_visa')\n"
    )
    worker = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(os.getcwd()), capture_output=True,
                            text=True, timeout=60)
    assert worker.returncode == 9, worker.stderr
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert len(stripe_on.charges_of(payment)) == 1  # the card was charged; the database does not know yet

    payment = services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    assert payment.status == Payment.Status.SUCCEEDED
    assert len(stripe_on.charges_of(payment)) == 1


def test_reconciliation_settles_a_payment_whose_worker_died_and_fails_interrupted_ones(world, stripe_on, monkeypatch):
    def dies(name):
        monkeypatch.setattr(sc, name, lambda *a, **k: (_ for _ in ()).throw(Killed(name)))

    paid = make_accepted_payment(world)
    before_create = make_accepted_payment(world, price="60000.00")
    before_confirm = make_accepted_payment(world, price="50000.00")
    for payment, kill in ((paid, lambda: die_after(monkeypatch, "confirm_payment_intent")),
                          (before_create, lambda: dies("create_payment_intent")),
                          (before_confirm, lambda: dies("confirm_payment_intent"))):
        kill()
        with pytest.raises(Killed):
            services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
        monkeypatch.undo()
    assert not Payment.objects.get(pk=before_create.pk).payment_intent_id
    assert Payment.objects.get(pk=before_confirm.pk).payment_intent_id

    counts = payments_reconcile.apply().get()
    assert counts == {"events": 0, "succeeded": 1, "failed": 0, "accounts": 0, "transfers": 0}
    assert Payment.objects.get(pk=paid.pk).status == Payment.Status.SUCCEEDED
    # The interrupted ones are too recent to judge: their worker might still be running.
    assert set(Payment.objects.filter(pk__in=[before_create.pk, before_confirm.pk])
               .values_list("status", flat=True)) == {Payment.Status.PROCESSING}
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=6), tick=False):
        counts = payments_reconcile.apply().get()
    assert counts["failed"] == 2
    for payment in (before_create, before_confirm):
        payment.refresh_from_db()
        assert payment.status == Payment.Status.FAILED
        assert payment.failure_message == "付款在扣款前被中断"  # stored in the platform language (zh-hans)
        assert stripe_on.charges_of(payment) == []
    [cancelled] = stripe_on.intents_of(before_confirm)
    assert cancelled["status"] == "canceled"  # nobody can confirm it any more
    for payment in (before_create, before_confirm):
        payment = services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
        assert payment.status == Payment.Status.SUCCEEDED and payment.attempt == 2
        assert len(stripe_on.charges_of(payment)) == 1
    assert len(stripe_on.charges_of(paid)) == 1


def test_every_payment_transition_is_allowed_or_refused_as_declared(world, stripe_on):
    s = Payment.Status
    allowed = {(a, b) for a, targets in Payment.TRANSITIONS.items() for b in targets}
    assert allowed == {(s.PENDING, s.PROCESSING), (s.PENDING, s.SUCCEEDED), (s.PROCESSING, s.SUCCEEDED),
                       (s.PROCESSING, s.FAILED), (s.FAILED, s.PROCESSING), (s.FAILED, s.SUCCEEDED),
                       (s.SUCCEEDED, s.REFUNDED)}
    payment = make_accepted_payment(world)
    for current in s.values:
        for target in s.values:
            Payment.objects.filter(pk=payment.pk).update(status=current)
            payment.refresh_from_db()
            if (current, target) in allowed:
                transition(payment, target, actor=world.operator)
                assert Payment.objects.get(pk=payment.pk).status == target
            else:
                with pytest.raises(InvalidTransition):
                    transition(payment, target, actor=world.operator)


def test_each_transition_through_the_services(world, stripe_on):
    office = world.procurement_x
    # pending → processing → failed → processing → succeeded → refunded (online)
    online = make_accepted_payment(world)
    with pytest.raises(sc.PaymentDeclined):
        services.payment_pay(actor=office, payment_id=online.pk, payment_method=DECLINING_CARD)
    services.payment_pay(actor=office, payment_id=online.pk, payment_method="pm_card_visa")
    verbs = [e.before.get("status", "") + "→" + e.after.get("status", "") for e in
             AuditEvent.objects.filter(object_id=str(online.pk), verb__in=["payment.process", "payment.fail",
                                                                            "payment.succeed"]).order_by("pk")]
    assert verbs == ["pending→processing", "processing→failed", "failed→processing", "processing→succeeded"]
    # Refused: paying or recording a settled payment; refunding one that did not go through.
    with pytest.raises(Conflict):
        services.payment_pay(actor=office, payment_id=online.pk, payment_method="pm_card_visa")
    with pytest.raises(InvalidTransition):
        services.payment_record_offline(actor=office, payment_id=online.pk, reference="BANK-1")
    services.payment_refund(actor=world.operator, payment_id=online.pk, reason="重复付款")
    with pytest.raises(Conflict):
        services.payment_refund(actor=world.operator, payment_id=online.pk, reason="again")
    with pytest.raises(Conflict):
        services.payment_pay(actor=office, payment_id=online.pk, payment_method="pm_card_visa")
    # pending → succeeded (offline), failed → succeeded (offline after a decline)
    offline = make_accepted_payment(world, price="50000.00")
    with pytest.raises(Conflict):
        services.payment_refund(actor=world.operator, payment_id=offline.pk, reason="not paid yet")
    assert services.payment_record_offline(actor=office, payment_id=offline.pk, reference="BANK-7").status == "succeeded"
    after_decline = make_accepted_payment(world, price="40000.00")
    with pytest.raises(sc.PaymentDeclined):
        services.payment_pay(actor=office, payment_id=after_decline.pk, payment_method=DECLINING_CARD)
    assert services.payment_record_offline(actor=office, payment_id=after_decline.pk,
                                           reference="BANK-8").status == "succeeded"
    # A payment being processed online cannot be recorded offline meanwhile.
    busy = make_accepted_payment(world, price="30000.00")
    Payment.objects.filter(pk=busy.pk).update(status=Payment.Status.PROCESSING, method="stripe")
    with pytest.raises(Conflict):
        services.payment_record_offline(actor=office, payment_id=busy.pk, reference="BANK-9")


def test_only_the_office_pays_and_only_operators_refund(world, stripe_on, accepted_payment):
    for outsider in (world.member_a, world.member_b, world.procurement_y, world.operator):
        with pytest.raises(NotFound):
            services.payment_pay(actor=outsider, payment_id=accepted_payment.pk, payment_method="pm_card_visa")
    with pytest.raises(ValidationFailed):
        services.payment_pay(actor=world.procurement_x, payment_id=accepted_payment.pk, payment_method=" ")
    payment = services.payment_pay(actor=world.head_x, payment_id=accepted_payment.pk, payment_method="pm_card_visa")
    for party in (world.procurement_x, world.head_x, world.member_a):
        with pytest.raises(PermissionDenied):
            services.payment_refund(actor=party, payment_id=payment.pk, reason="退款")
    with pytest.raises(ValidationFailed):
        services.payment_refund(actor=world.operator, payment_id=payment.pk, reason="  ")
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED


def test_an_operator_refund_goes_through_stripe_once_even_if_the_worker_dies(world, stripe_on, accepted_payment,
                                                                            monkeypatch):
    payment = services.payment_pay(actor=world.procurement_x, payment_id=accepted_payment.pk,
                                   payment_method="pm_card_visa")
    die_after(monkeypatch, "create_refund")
    with pytest.raises(Killed):
        services.payment_refund(actor=world.operator, payment_id=payment.pk, reason="服务未实际提供")
    monkeypatch.undo()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    payment = services.payment_refund(actor=world.operator, payment_id=payment.pk, reason="服务未实际提供")
    assert payment.status == Payment.Status.REFUNDED and payment.refunded_by == world.operator
    refunds = stripe_on.ls_list("refunds", payment_intent=payment.payment_intent_id)
    assert [r["id"] for r in refunds] == [payment.refund_id] and refunds[0]["amount"] == payment.amount_fen


def test_offline_payments_are_refunded_without_stripe(world, settings, accepted_payment):
    settings.STRIPE_SECRET_KEY = ""
    services.payment_record_offline(actor=world.procurement_x, payment_id=accepted_payment.pk, reference="BANK-1")
    payment = services.payment_refund(actor=world.operator, payment_id=accepted_payment.pk, reason="多付")
    assert payment.status == Payment.Status.REFUNDED and payment.refund_id == ""


def test_without_stripe_keys_the_office_records_offline_and_the_page_says_so(world, settings, client,
                                                                            accepted_payment):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(Conflict) as off, translation.override("en"):
        services.payment_pay(actor=world.procurement_x, payment_id=accepted_payment.pk, payment_method="pm_card_visa")
    assert "Online payment is not configured" in off.value.message
    contract_id = accepted_payment.milestone.contract_id
    client.force_login(world.procurement_x)
    page = client.get(f"/en/dashboard/contracts/{contract_id}/").content.decode()
    assert "Online payment is not configured. Payments are recorded as paid outside the platform" in page
    assert f"/dashboard/payments/{accepted_payment.pk}/pay/" not in page
    assert "Record payment made outside the platform" in page
    client.post(f"/en/dashboard/contracts/{contract_id}/pay_offline/",
                {"payment": accepted_payment.pk, "reference": "ICBC-20260301-001"})
    page = client.get(f"/en/dashboard/contracts/{contract_id}/").content.decode()
    assert "Paid outside the platform" in page and "ICBC-20260301-001" in page
    assert "procurement_x@example.cn" in page  # who recorded it


def test_the_pay_page_flow_with_a_declined_card_then_a_good_one(world, stripe_on, client, accepted_payment):
    contract_id = accepted_payment.milestone.contract_id
    client.force_login(world.procurement_x)
    page = client.get(f"/en/dashboard/contracts/{contract_id}/").content.decode()
    assert "Online payment is not configured" not in page
    assert f'action="/en/dashboard/payments/{accepted_payment.pk}/pay/"' in page
    response = client.post(f"/en/dashboard/payments/{accepted_payment.pk}/pay/", {"payment_method": DECLINING_CARD},
                           follow=True)
    page = response.content.decode()
    assert "The card was declined: Your card was declined; the milestone stays accepted and you can pay again." in page
    assert "The last attempt failed: Your card was declined." in page
    response = client.post(f"/en/dashboard/payments/{accepted_payment.pk}/pay/", {"payment_method": "pm_card_visa"},
                           follow=True)
    assert "Paid. The milestone is settled." in response.content.decode()
    assert Payment.objects.get(pk=accepted_payment.pk).status == Payment.Status.SUCCEEDED
    client.force_login(world.member_b)
    assert client.post(f"/en/dashboard/payments/{accepted_payment.pk}/pay/",
                       {"payment_method": "pm_card_visa"}).status_code == 404
    client.force_login(world.operator)
    response = client.post(f"/en/dashboard/payments/{accepted_payment.pk}/refund/", {"reason": "测试退款"}, follow=True)
    assert "The payment was refunded." in response.content.decode()
    assert Payment.objects.get(pk=accepted_payment.pk).status == Payment.Status.REFUNDED
