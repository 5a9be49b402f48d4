"""Clarifications: asked before the deadline, answered in public without the asker's name, bidders told."""

import datetime as dt

import pytest
from django.core import mail

from bids import services
from marketplace.errors import Conflict

from .conftest import SH

pytestmark = pytest.mark.django_db


def test_question_answer_published_without_asker(world, tender, client, django_capture_on_commit_callbacks):
    client.force_login(world.member_a)
    response = client.post(f"/tenders/{tender.pk}/questions/", {"question": "是否需要提供社工证书复印件？"})
    assert response.status_code == 302
    question = tender.clarifications.get()
    client.force_login(world.procurement_x)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dashboard/tenders/{tender.pk}/answer/",
                    {"clarification": question.pk, "answer": "需要，加盖公章。"})
    client.logout()
    page = client.get(f"/tenders/{tender.pk}/").content.decode()
    assert "是否需要提供社工证书复印件" in page and "需要，加盖公章。" in page
    assert world.org_a.name not in page
    # The notification went through the broker; it is delivered by the worker (see tests/test_worker.py).


def test_question_after_the_clarification_deadline_is_refused(world, tender, clock):
    clock.move_to(dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH))
    with pytest.raises(Conflict):
        services.clarification_ask(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                   question="晚了吗？")


def test_answer_email_is_rendered_in_the_recipients_language(world, tender):
    from marketplace.tasks import send_notification

    world.member_b.language = "en"
    world.member_b.save()
    for user in (world.member_a, world.member_b):
        send_notification.apply(kwargs={"user_id": user.pk, "template": "bids/clarification_answered",
                                        "context": {"tender_id": tender.pk, "tender_title": tender.title}})
    zh, en = mail.outbox
    assert "答疑" in zh.subject or "澄清" in zh.subject or tender.title in zh.subject
    assert "New clarification" in en.subject and f"/en/tenders/{tender.pk}/" in en.body
    assert f"/tenders/{tender.pk}/" in zh.body and "/en/" not in zh.body


def test_feed_lists_published_tenders(world, tender, client):
    response = client.get("/tenders/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert tender.title in response.content.decode()
