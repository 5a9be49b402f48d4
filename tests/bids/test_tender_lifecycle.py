"""Tender and bid transitions through the services and views: allowed and refused."""

import datetime as dt
from decimal import Decimal

import pytest

from bids import services
from bids.models import Bid, Tender
from marketplace.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed

from .conftest import DEADLINE, SH, submit

pytestmark = pytest.mark.django_db
T = Tender.Status


def test_publish_refuses_periods_shorter_than_the_working_day_minimum(world, draft_tender):
    services.tender_update(actor=world.procurement_x, tender=draft_tender,
                           clarification_deadline=dt.datetime(2026, 3, 3, 17, 0, tzinfo=SH),
                           submission_deadline=dt.datetime(2026, 3, 6, 17, 0, tzinfo=SH))
    with pytest.raises(ValidationFailed) as exc:
        services.tender_publish(actor=world.procurement_x, tender=draft_tender)
    assert len(exc.value.reasons) == 2
    assert "5" in str(exc.value.reasons[0]) and "2" in str(exc.value.reasons[1])
    draft_tender.refresh_from_db()
    assert draft_tender.status == T.DRAFT


def test_other_office_cannot_touch_the_tender(world, draft_tender):
    with pytest.raises(NotFound):
        services.tender_publish(actor=world.procurement_y, tender=draft_tender)
    with pytest.raises(NotFound):
        services.tender_update(actor=world.member_a, tender=draft_tender, title="x")


def test_bid_replace_and_withdraw_before_the_deadline(world, tender):
    first = submit(world, tender, world.member_a, world.org_a, "95000.00")
    second = submit(world, tender, world.member_a, world.org_a, "91000.00")
    first.refresh_from_db()
    assert first.status == Bid.Status.SUPERSEDED and second.version == 2
    assert second.receipt_digest == services.bid_digest(second)
    services.bid_withdraw(actor=world.member_a, bid_id=second.pk)
    second.refresh_from_db()
    assert second.status == Bid.Status.WITHDRAWN
    with pytest.raises(InvalidTransition):
        services.bid_withdraw(actor=world.member_a, bid_id=second.pk)


def test_bid_refused_over_the_ceiling_by_strangers_and_for_ineligible(world, tender):
    with pytest.raises(ValidationFailed) as exc:
        services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                price=Decimal("120000.01"))
    assert exc.value.code == "price_over_ceiling"
    with pytest.raises(PermissionDenied):
        services.bid_save_draft(actor=world.member_b, tender_id=tender.pk, organisation=world.org_a,
                                price=Decimal("1000"))
    world.org_b.categories.clear()
    with pytest.raises(PermissionDenied) as exc:
        services.bid_save_draft(actor=world.member_b, tender_id=tender.pk, organisation=world.org_b,
                                price=Decimal("1000"))
    assert exc.value.reasons


def test_deadline_closes_first_then_refuses_with_409(world, tender, clock, client):
    draft = services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                    price=Decimal("90000"))
    clock.move_to(DEADLINE)  # the deadline itself is too late
    with pytest.raises(Conflict) as exc:
        services.bid_submit(actor=world.member_a, bid_id=draft.pk)
    assert exc.value.code == "deadline_passed"
    tender.refresh_from_db()
    assert tender.status == T.UNSUCCESSFUL  # closed on touch; no submitted bid, below the minimum
    client.force_login(world.member_a)
    response = client.post(f"/tenders/{tender.pk}/bid/",
                           {"organisation": world.org_a.pk, "price": "88000.00", "proposal": "我的方案", "submit": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "我的方案" in page and "88000.00" in page  # nothing typed is lost


def test_close_opens_bids_and_checks_digests_exactly_once(world, tender, clock):
    bid = submit(world, tender, world.member_a, world.org_a)
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    assert services.tenders_close_due() == 1
    assert services.tenders_close_due() == 0
    bid.refresh_from_db()
    assert bid.status == Bid.Status.OPENED and bid.digest_verified
    from marketplace.models import AuditEvent

    assert AuditEvent.objects.filter(verb="tender.close", object_id=str(tender.pk)).count() == 1


def test_tampered_bid_shows_a_mismatching_digest(world, tender, clock):
    bid = submit(world, tender, world.member_a, world.org_a, "90000.00")
    Bid.objects.filter(pk=bid.pk).update(price=Decimal("80000.00"))  # a change behind the platform's back
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_close(tender_id=tender.pk)
    bid.refresh_from_db()
    assert bid.digest_verified is False


def test_award_rules(world, tender, clock):
    cheap = submit(world, tender, world.member_a, world.org_a, "80000.00")
    dear = submit(world, tender, world.member_b, world.org_b, "99000.00")
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_close(tender_id=tender.pk)
    with pytest.raises(NotFound):
        services.tender_start_evaluation(actor=world.procurement_y, tender_id=tender.pk)
    services.tender_start_evaluation(actor=world.procurement_x, tender_id=tender.pk)
    services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=world.evaluator_x)
    services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)
    for bid in (cheap, dear):
        services.bid_qualify(actor=world.evaluator_x, bid_id=bid.pk, qualified=True)
    with pytest.raises(NotFound):  # only the head approves
        services.tender_propose_award(actor=world.procurement_x, tender_id=tender.pk, bid_id=cheap.pk)
    with pytest.raises(ValidationFailed) as exc:
        services.tender_propose_award(actor=world.head_x, tender_id=tender.pk, bid_id=dear.pk)
    assert exc.value.code == "justification_required"
    services.tender_propose_award(actor=world.head_x, tender_id=tender.pk, bid_id=dear.pk,
                                  justification="服务方案明显更优")
    tender.refresh_from_db()
    assert tender.status == T.STANDSTILL and tender.award_justification == "服务方案明显更优"
    # Five working days later, not before.
    clock.move_to(tender.standstill_ends_at - dt.timedelta(minutes=1))
    assert services.tenders_end_standstill_due() == 0
    clock.move_to(tender.standstill_ends_at)
    assert services.tenders_end_standstill_due() == 1
    tender.refresh_from_db()
    dear.refresh_from_db()
    cheap.refresh_from_db()
    assert tender.status == T.AWARDED
    assert (dear.status, cheap.status) == (Bid.Status.AWARDED, Bid.Status.NOT_AWARDED)
    assert tender.contract.value == Decimal("99000.00")


def test_cancel_from_any_non_final_state_needs_a_public_reason(world, tender):
    with pytest.raises(ValidationFailed):
        services.tender_cancel(actor=world.procurement_x, tender_id=tender.pk, reason="")
    services.tender_cancel(actor=world.procurement_x, tender_id=tender.pk, reason="需求取消")
    tender.refresh_from_db()
    assert tender.status == T.CANCELLED and tender.public_reason == "需求取消"
    with pytest.raises(InvalidTransition):
        services.tender_cancel(actor=world.procurement_x, tender_id=tender.pk, reason="again")


def test_sealed_until_the_deadline_for_every_role(world, tender, client, clock):
    submit(world, tender, world.member_a, world.org_a, "87654.32")
    for user in (None, world.member_b, world.procurement_x, world.evaluator_x, world.head_x, world.procurement_y,
                 world.operator):
        client.logout()
        if user:
            client.force_login(user)
        for url in (f"/tenders/{tender.pk}/", "/tenders/", f"/dashboard/tenders/{tender.pk}/", "/dashboard/"):
            assert "87,654.32" not in client.get(url).content.decode(), (user, url)
    client.force_login(world.member_a)
    assert "87,654.32" in client.get(f"/tenders/{tender.pk}/").content.decode()
    # After the deadline the office sees the opening record.
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    client.force_login(world.procurement_x)
    assert "87,654.32" in client.get(f"/dashboard/tenders/{tender.pk}/").content.decode()


def test_receipt_pdf_carries_the_digest_with_the_cjk_font(world, tender, client, tmp_path):
    import shutil
    import subprocess

    bid = submit(world, tender, world.member_a, world.org_a, "90000.00")
    client.force_login(world.member_b)
    assert client.get(f"/bids/{bid.pk}/receipt.pdf").status_code == 404
    client.force_login(world.member_a)
    response = client.get(f"/bids/{bid.pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run([shutil.which("pdftotext"), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")
    assert bid.receipt_digest in text and "长河社会工作服务中心" in text
    fonts = subprocess.run([shutil.which("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert any("CJK" in line.replace("-", "") and " yes " in line for line in fonts.splitlines())
