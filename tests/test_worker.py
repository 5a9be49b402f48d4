"""A real Celery worker consumes the configured broker (memory on SQLite runs, Redis in CI) and runs the
beat task that closes tenders. This proves the tasks serialise as JSON and find their rows."""

import datetime as dt

import pytest
from django.utils import timezone

from bids.models import Tender
from bids.tasks import tenders_close_due
from tests.waiting import wait_for


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_beat_sweep(world, celery_worker):
    now = timezone.now()
    tender = Tender.objects.create(
        office=world.office_x, title="过期未关闭的项目", budget_ceiling="10000.00", status=Tender.Status.PUBLISHED,
        published_at=now - dt.timedelta(days=10), clarification_deadline=now - dt.timedelta(days=5),
        submission_deadline=now - dt.timedelta(seconds=1),
    )
    tenders_close_due.delay()
    assert wait_for(lambda: Tender.objects.get(pk=tender.pk).status != Tender.Status.PUBLISHED)
    tender.refresh_from_db()
    # No bids arrived, so below the minimum: unsuccessful, with a public reason.
    assert tender.status == Tender.Status.UNSUCCESSFUL
    assert "0" in tender.public_reason
