"""Notifications travel through the broker to a real worker and are rendered in each recipient's language."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from bids import services
from bids.models import Tender
from bids.tasks import tenders_remind_drafts
from tests.waiting import drain_tasks, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


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
    assert wait_for(lambda: len(mail.outbox) >= 1)
    tenders_remind_drafts.delay()
    drain_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.member_a.email]
    assert "24 hours left" in message.subject and f"/en/tenders/{tender.pk}/bid/" in message.body
