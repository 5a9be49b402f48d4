"""A bid's time is when its request arrived; the close waits a grace for bids that arrived in time, and nothing
that arrived after the deadline is accepted, however early it is processed."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test import override_settings

from bids import services, tasks
from bids.models import Bid, Tender
from marketplace.arrival import ARRIVED_AT_HEADER
from marketplace.errors import Conflict

from .conftest import DEADLINE, SH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("grace")]

GRACE = 30
TICK = dt.timedelta(microseconds=1)


@pytest.fixture
def grace():
    with override_settings(TENDER_CLOSE_GRACE_SECONDS=GRACE):
        yield


def draft(world, tender, user=None, org=None, price="90000.00"):
    return services.bid_save_draft(actor=user or world.member_a, tender_id=tender.pk,
                                   organisation=org or world.org_a, price=Decimal(price))


def test_a_bid_that_arrived_before_the_deadline_is_accepted_while_it_waited(world, tender, clock):
    bid = draft(world, tender)
    clock.move_to(DEADLINE + dt.timedelta(seconds=GRACE - 1))  # processed late, within the grace
    sealed = services.bid_submit(actor=world.member_a, bid_id=bid.pk, arrived_at=DEADLINE - TICK)
    assert sealed.status == Bid.Status.SUBMITTED and sealed.submitted_at == DEADLINE - TICK
    assert sealed.receipt_digest == services.bid_digest(sealed)


@pytest.mark.parametrize("arrived", [DEADLINE, DEADLINE + TICK, DEADLINE + dt.timedelta(seconds=5)])
def test_a_bid_that_arrived_at_or_after_the_deadline_is_refused_however_early_it_is_processed(
        world, tender, clock, arrived):
    bid = draft(world, tender)
    clock.move_to(DEADLINE - dt.timedelta(seconds=1))  # even processed before the deadline (a wrong stamp)
    with pytest.raises(Conflict) as exc:
        services.bid_submit(actor=world.member_a, bid_id=bid.pk, arrived_at=arrived)
    assert exc.value.code == "deadline_passed"
    clock.move_to(arrived)
    with pytest.raises(Conflict):
        services.bid_submit(actor=world.member_a, bid_id=bid.pk)  # the default: arrived now
    with pytest.raises(Conflict):
        services.bid_submit_content(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                    price=Decimal("1.00"), arrived_at=arrived)
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.DRAFT


def test_the_close_waits_for_the_grace_on_every_path(world, tender, clock, client):
    early = services.bid_submit(actor=world.member_a, bid_id=draft(world, tender).pk)
    late = draft(world, tender, world.member_b, world.org_b, "80000.00")
    client.force_login(world.member_b)
    clock.move_to(DEADLINE + dt.timedelta(seconds=GRACE) - TICK)
    # The task queued for the deadline, the beat sweep, an explicit close and every page that closes on read.
    assert tasks.tender_close_at_deadline(tender.pk) == Tender.Status.PUBLISHED
    assert services.tenders_close_due() == 0
    assert services.tender_close(tender_id=tender.pk).status == Tender.Status.PUBLISHED
    assert client.get(f"/tenders/{tender.pk}/").status_code == 200
    assert client.get(f"/tenders/{tender.pk}/bid/").status_code == 200
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED
    # Still, a bid that arrives now is late, through the page too; what was typed comes back.
    response = client.post(f"/tenders/{tender.pk}/bid/", {"organisation": world.org_b.pk, "price": "80000.00",
                                                         "proposal": "迟到的方案", "submit": "1"})
    assert response.status_code == 409 and "迟到的方案" in response.content.decode()
    assert Bid.objects.get(pk=late.pk).status == Bid.Status.DRAFT
    # At the end of the grace the tender closes, once, and opens the bid that arrived in time.
    clock.move_to(DEADLINE + dt.timedelta(seconds=GRACE))
    assert services.tenders_close_due() == 1
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CLOSED and tender.closed_at == DEADLINE + dt.timedelta(seconds=GRACE)
    assert Bid.objects.get(pk=early.pk).status == Bid.Status.OPENED
    assert Bid.objects.get(pk=late.pk).status == Bid.Status.WITHDRAWN
    assert tender.closes_at == DEADLINE + dt.timedelta(seconds=GRACE)


def test_the_receipt_shows_the_time_the_request_arrived(world, tender, client, clock):
    clock.move_to(DEADLINE - dt.timedelta(seconds=3, microseconds=250))
    client.force_login(world.member_a)
    response = client.post(f"/tenders/{tender.pk}/bid/", {"organisation": world.org_a.pk, "price": "90000.00",
                                                         "proposal": "方案", "submit": "1"})
    assert response.status_code == 302
    arrived = dt.datetime.fromisoformat(response[ARRIVED_AT_HEADER])
    bid = Bid.objects.get(tender=tender, organisation=world.org_a)
    assert arrived == bid.submitted_at == DEADLINE - dt.timedelta(seconds=3, microseconds=250)
    page = client.get(response["Location"]).content.decode()
    assert bid.submitted_at.astimezone(SH).strftime("%Y-%m-%d %H:%M:%S.%f") in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_bid_kept_waiting_for_the_tender_lock_past_the_deadline_is_accepted(world, client):
    """Through the real page: the request arrives before the deadline while another transaction holds the
    tender's lock until after it. The old code read the clock under the lock and refused this bid."""
    if connection.vendor != "postgresql":
        pytest.skip("a lock held by another connection needs PostgreSQL")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        services.tender_update(actor=world.procurement_x, tender=(tender := Tender.objects.create(
            office=world.office_x, category=world.category, title="锁等待", budget_ceiling=Decimal("120000.00"),
            allow_filed=False)), clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
            submission_deadline=DEADLINE)
        services.tender_publish(actor=world.procurement_x, tender=tender)
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                Tender.objects.select_for_update().get(pk=tender.pk)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    with time_machine.travel(DEADLINE - dt.timedelta(milliseconds=300), tick=True):
        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        assert held.wait(10)
        threading.Timer(0.6, release.set).start()  # the lock is free only after the deadline
        client.force_login(world.member_a)
        response = client.post(f"/tenders/{tender.pk}/bid/", {"organisation": world.org_a.pk, "price": "90000.00",
                                                             "proposal": "方案", "submit": "1"})
        finished = time.time()
        holder.join(10)
    assert response.status_code == 302, response.content.decode()[:500]
    assert dt.datetime.fromtimestamp(finished, SH) > DEADLINE  # it really was processed after the deadline
    bid = Bid.objects.get(tender=tender, organisation=world.org_a)
    assert bid.status == Bid.Status.SUBMITTED and bid.submitted_at < DEADLINE
    assert bid.submitted_at == dt.datetime.fromisoformat(response[ARRIVED_AT_HEADER])
