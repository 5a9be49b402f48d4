"""Standstill and objections, with time moved forward: the award waits for answers; upheld re-evaluates."""

import datetime as dt

import pytest

from bids import services
from bids.models import Objection, Tender
from marketplace.errors import Conflict, PermissionDenied

from .conftest import DEADLINE, submit

pytestmark = pytest.mark.django_db
T = Tender.Status


@pytest.fixture
def in_standstill(world, tender, clock):
    winner = submit(world, tender, world.member_a, world.org_a, "80000.00")
    loser = submit(world, tender, world.member_b, world.org_b, "95000.00")
    services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=world.evaluator_x)
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_start_evaluation(actor=world.procurement_x, tender_id=tender.pk)
    services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)
    for bid in (winner, loser):
        services.bid_qualify(actor=world.evaluator_x, bid_id=bid.pk, qualified=True)
    services.tender_propose_award(actor=world.head_x, tender_id=tender.pk, bid_id=winner.pk)
    tender.refresh_from_db()
    return tender


def test_pending_objection_holds_the_award_until_rejected(world, in_standstill, clock, client):
    tender = in_standstill
    client.force_login(world.member_b)
    response = client.post(f"/tenders/{tender.pk}/objections/",
                           {"organisation": world.org_b.pk, "grounds": "中标人资质证书已过期。"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    clock.move_to(tender.standstill_ends_at + dt.timedelta(minutes=1))
    assert services.tenders_end_standstill_due() == 0  # waits for the answer
    with pytest.raises(Conflict):  # the period is over: no new objections
        services.objection_lodge(actor=world.member_b, tender_id=tender.pk, organisation=world.org_b, grounds="再议")
    client.force_login(world.head_x)
    client.post(f"/dashboard/tenders/{tender.pk}/reject_objection/",
                {"objection": objection.pk, "answer": "经核查，证书在有效期内。"})
    objection.refresh_from_db()
    assert objection.status == Objection.Status.REJECTED
    assert services.tenders_end_standstill_due() == 1
    tender.refresh_from_db()
    assert tender.status == T.AWARDED
    client.logout()
    assert "经核查，证书在有效期内。" in client.get(f"/tenders/{tender.pk}/").content.decode()


def test_upheld_objection_sends_the_tender_back_to_evaluation(world, in_standstill):
    objection = services.objection_lodge(actor=world.member_b, tender_id=in_standstill.pk,
                                         organisation=world.org_b, grounds="评分有误")
    services.objection_answer(actor=world.head_x, objection_id=objection.pk, upheld=True, answer="重新评审")
    in_standstill.refresh_from_db()
    assert in_standstill.status == T.EVALUATING and in_standstill.awarded_bid is None


def test_upheld_objection_can_cancel(world, in_standstill):
    objection = services.objection_lodge(actor=world.member_b, tender_id=in_standstill.pk,
                                         organisation=world.org_b, grounds="需求表述有误")
    services.objection_answer(actor=world.head_x, objection_id=objection.pk, upheld=True,
                              answer="采购需求有误，取消本项目。", cancel_tender=True)
    in_standstill.refresh_from_db()
    assert in_standstill.status == T.CANCELLED and in_standstill.public_reason == "采购需求有误，取消本项目。"


def test_only_bidders_object(world, in_standstill):
    from tests.factories import MembershipFactory, OrganisationFactory

    outsider_org = OrganisationFactory(categories=[world.category])
    outsider = MembershipFactory(organisation=outsider_org).user
    with pytest.raises(PermissionDenied):
        services.objection_lodge(actor=outsider, tender_id=in_standstill.pk, organisation=outsider_org, grounds="x")


def test_an_objection_carries_a_checked_private_document(world, in_standstill, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    tender = in_standstill
    client.force_login(world.member_b)
    url = f"/tenders/{tender.pk}/objections/"
    # A disguised file is refused with the reason; no objection is lodged.
    response = client.post(url, {"organisation": world.org_b.pk, "grounds": "评分有误",
                                 "document": SimpleUploadedFile("证据.pdf", b"not a pdf")}, follow=True)
    assert not Objection.objects.exists()
    assert "PDF" in response.content.decode()
    body = b"%PDF-1.7\n%%EOF\nevidence"
    response = client.post(url, {"organisation": world.org_b.pk, "grounds": "评分有误",
                                 "document": SimpleUploadedFile("证据.pdf", body)})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.document.name.startswith("objections/") and "证据" not in objection.document.name
    download = f"/objections/{objection.pk}/document/"
    expected = {"anonymous": 302, "member_a": 404, "member_b": 200, "procurement_x": 200, "head_x": 200,
                "evaluator_x": 404, "procurement_y": 404, "operator": 404}
    seen = {}
    for role in expected:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        response = client.get(download)
        seen[role] = response.status_code
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == body
    assert seen == expected
    client.force_login(world.head_x)  # the head answering it finds the document on the working page
    assert download in client.get(f"/dashboard/tenders/{tender.pk}/").content.decode()
