"""Notifications travel through the broker to a real worker and are rendered in each recipient's language."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from bids import services
from bids.models import Tender
from bids.tasks import tenders_remind_drafts

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_deadline_reminder_goes_once_to_organisations_with_only_a_draft(world, celery_worker):
    now = timezone.now()
    tender = Tender.objects.create(
        office=world.office_x, category=world.category, title="提醒测试项目", budget_ceiling=Decimal("50000"),
        status=Tender.Status.PUBLISHED, published_at=now - dt.timedelta(days=7),
        clarification_deadline=now - dt.timedelta(days=2), submission_deadline=now + dt.timedelta(hours=10),
        allow_filed=False,
    )
    world.member_a.language = "en"
    world.member_a.save()
    services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a, price=Decimal(1000))
    done = services.bid_save_draft(actor=world.member_b, tender_id=tender.pk, organisation=world.org_b,
                                   price=Decimal(1000))
    services.bid_submit(actor=world.member_b, bid_id=done.pk)
    mail.outbox.clear()
    tenders_remind_drafts.delay()
    assert _wait_for(lambda: len(mail.outbox) >= 1)
    tenders_remind_drafts.delay()
    time.sleep(1.5)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.member_a.email]
    assert "24 hours left" in message.subject and f"/en/tenders/{tender.pk}/bid/" in message.body
