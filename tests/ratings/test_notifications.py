"""The review window's emails travel through the broker to a real worker: opening, one reminder, a low-score flag."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from ratings import services
from ratings.models import ReviewWindow
from ratings.tasks import review_reminders_due
from tests.waiting import drain_tasks, wait_for

from .conftest import office_scores, provider_scores

pytestmark = pytest.mark.django_db(transaction=True)


def test_both_parties_are_told_and_the_late_side_is_reminded_once(world, make, celery_worker):
    w = world
    w.member_a.language = "en"
    w.member_a.save()
    contract = make.completed()
    window = ReviewWindow.objects.get(contract=contract)
    opened = {w.procurement_x.email, w.head_x.email, w.member_a.email}
    assert wait_for(lambda: {m.to[0] for m in mail.outbox if contract.title in m.subject} >= opened)
    english = next(m for m in mail.outbox if m.to == [w.member_a.email] and contract.title in m.subject)
    assert "Review window open" in english.subject and f"/dashboard/contracts/{contract.pk}/review/" in english.body
    services.review_submit(actor=w.member_a, contract_id=contract.pk, scores=provider_scores(4))
    mail.outbox.clear()
    with time_machine.travel(window.closes_at - dt.timedelta(days=3, hours=1)):
        assert review_reminders_due.apply().get() == 0  # not yet
    with time_machine.travel(window.closes_at - dt.timedelta(days=2)):
        assert review_reminders_due.apply().get() == 1
        assert review_reminders_due.apply().get() == 0  # once
        assert wait_for(lambda: len(mail.outbox) >= 2)
        drain_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w.procurement_x.email, w.head_x.email])


@override_settings(RATING_FLAG_THRESHOLD=Decimal("2.5"), RATING_FLAG_MIN_REVIEWS=1)
def test_operators_are_told_of_a_low_score(world, make, celery_worker):
    contract = make.completed(provider=world.org_b)
    mail.outbox.clear()
    services.review_submit(actor=world.procurement_x, contract_id=contract.pk, scores=office_scores(1))
    services.review_submit(actor=world.member_b, contract_id=contract.pk, scores=provider_scores(3))
    assert wait_for(lambda: any(m.to == [world.operator.email] for m in mail.outbox))
    message = next(m for m in mail.outbox if m.to == [world.operator.email])
    assert world.org_b.name in message.subject and "/dashboard/operator/ratings/" in message.body
