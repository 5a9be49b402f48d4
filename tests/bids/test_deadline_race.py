"""The deadline race on PostgreSQL: bids fired from several threads across the deadline.

Every bid is either accepted with a server time before the deadline or refused; none is lost, none is
accepted late, and the tender closes exactly once while a sweeper tries to close it at the same time.
"""

import datetime as dt
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from bids import services
from bids.models import Bid, Tender
from marketplace.errors import Conflict
from marketplace.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BIDDERS = 12


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("real row locks and concurrent transactions need PostgreSQL")


def test_bids_across_the_deadline(world):
    now = timezone.now()
    # Fixture rows for a race, not a publication path: the deadline is seconds away on purpose.
    tender = Tender.objects.create(
        office=world.office_x, category=world.category, title="截止竞态测试", budget_ceiling=Decimal("100000"),
        status=Tender.Status.PUBLISHED, published_at=now - dt.timedelta(days=7),
        clarification_deadline=now - dt.timedelta(days=1), submission_deadline=now + dt.timedelta(hours=1),
        allow_filed=False,
    )
    drafts = []
    for n in range(BIDDERS):
        org = OrganisationFactory(categories=[world.category])
        user = MembershipFactory(organisation=org).user
        drafts.append((user, services.bid_save_draft(actor=user, tender_id=tender.pk, organisation=org,
                                                     price=Decimal(90000 - n))))
    # The deadline is set once the drafts exist, however long they took to make on a busy machine.
    deadline = timezone.now() + dt.timedelta(seconds=2)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=deadline)
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(BIDDERS + 1)

    def bidder(user, draft):
        try:
            start.wait()
            # Spread the submissions from 0.6 s before to 0.6 s after the deadline.
            delay = (deadline - timezone.now()).total_seconds() + random.uniform(-0.6, 0.6)  # noqa: S311
            time.sleep(max(0.0, delay))
            try:
                services.bid_submit(actor=user, bid_id=draft.pk)
                outcomes[draft.pk] = "accepted"
            except Conflict:
                outcomes[draft.pk] = "refused"
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def sweeper():
        try:
            start.wait()
            stop = deadline + dt.timedelta(seconds=1)
            while timezone.now() < stop:
                services.tenders_close_due()
                time.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=bidder, args=d) for d in drafts] + [threading.Thread(target=sweeper)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert len(outcomes) == BIDDERS  # none lost

    tender.refresh_from_db()
    assert tender.status in (Tender.Status.CLOSED, Tender.Status.UNSUCCESSFUL)
    closes = AuditEvent.objects.filter(object_id=str(tender.pk), verb__in=["tender.close", "tender.unsuccessful"])
    assert closes.count() == 1  # closed exactly once
    accepted = {pk for pk, outcome in outcomes.items() if outcome == "accepted"}
    opened = Bid.objects.filter(tender=tender, status=Bid.Status.OPENED)
    assert set(opened.values_list("pk", flat=True)) == accepted
    for bid in opened:
        assert bid.submitted_at < deadline and bid.digest_verified
    refused = set(outcomes) - accepted
    assert accepted and refused, "the submissions should straddle the deadline"
    assert not Bid.objects.filter(pk__in=refused, status=Bid.Status.SUBMITTED).exists()
