"""The receipt digest is a commitment: a secret nonce on the bidder's receipt, revealed at opening, keeps anyone
holding the digest from testing guessed prices against it. And a double click on submit gives one receipt."""

import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from bids import services
from bids.models import Bid
from marketplace.models import AuditEvent

from .conftest import DEADLINE, SH

pytestmark = pytest.mark.django_db

CEILING = Decimal("600.00")  # small enough to try every price in cents: 60,000 guesses
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def small_tender(world, draft_tender):
    services.tender_update(actor=world.procurement_x, tender=draft_tender, budget_ceiling=CEILING,
                           clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                           submission_deadline=DEADLINE)
    return services.tender_publish(actor=world.procurement_x, tender=draft_tender)


def sealed_bid(world, tender, price="437.19"):
    draft = services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                    price=Decimal(price), proposal="每周上门两次，配备社工2名")
    services.bid_attachment_add(actor=world.member_a, bid_id=draft.pk,
                                file=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"))
    return services.bid_submit(actor=world.member_a, bid_id=draft.pk)


def brute_force(known: dict, digest: str) -> list[str]:
    """Every price from ¥0.01 to the ceiling, in cents, tried against the digest with everything else known."""
    found = []
    for cents in range(1, int(CEILING * 100) + 1):
        guess = f"{cents // 100}.{cents % 100:02d}"
        canonical = json.dumps({**known, "price": guess}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if hashlib.sha256(canonical.encode()).hexdigest() == digest:
            found.append(guess)
    return found


def test_brute_force_over_the_ceiling_finds_no_price_without_the_nonce(world, small_tender):
    bid = sealed_bid(world, small_tender)
    # The attacker knows the digest, the exact submitted_at and every field but the price and the nonce.
    known = services.bid_canonical_content(bid)
    nonce = known.pop("nonce")
    assert len(nonce) == 64 and nonce == bid.receipt_nonce and int(nonce, 16)
    assert brute_force(known, bid.receipt_digest) == []
    assert brute_force({**known, "nonce": ""}, bid.receipt_digest) == []
    # With the nonce (the bidder's receipt, or the opening) the same search finds the price, and only it.
    assert brute_force({**known, "nonce": nonce}, bid.receipt_digest) == ["437.19"]
    # A bid sealed the old way (no nonce) falls to the same search: this is the attack the nonce stops.
    Bid.objects.filter(pk=bid.pk).update(receipt_nonce="")
    bid.refresh_from_db()
    assert brute_force(known, services.bid_digest(bid)) == ["437.19"]


def test_each_submission_gets_its_own_nonce_and_the_audit_log_never_holds_it(world, small_tender):
    first = sealed_bid(world, small_tender, "500.00")
    draft = services.bid_save_draft(actor=world.member_a, tender_id=small_tender.pk, organisation=world.org_a,
                                    price=Decimal("500.00"), proposal=first.proposal)
    second = services.bid_submit(actor=world.member_a, bid_id=draft.pk)
    assert second.version == 2 and second.receipt_nonce != first.receipt_nonce
    assert second.receipt_digest != first.receipt_digest
    events = json.dumps(list(AuditEvent.objects.values("before", "after")), default=str)
    assert first.receipt_nonce not in events and second.receipt_nonce not in events
    assert second.receipt_digest in events  # the digest alone reveals nothing


def test_the_bidders_receipt_page_and_pdf_show_the_nonce_and_the_arrival_time(world, small_tender, client):
    bid = sealed_bid(world, small_tender)
    client.force_login(world.member_a)
    page = client.get(f"/bids/{bid.pk}/receipt/").content.decode()
    assert bid.receipt_nonce in page and bid.receipt_digest in page
    assert bid.submitted_at.astimezone(SH).strftime("%Y-%m-%d %H:%M:%S.%f") in page
    response = client.get(f"/bids/{bid.pk}/receipt.pdf")
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    flat = "".join(text.split())
    assert bid.receipt_nonce in flat and bid.receipt_digest in flat
    # Nobody else gets the receipt, so nobody else learns the nonce before the opening.
    for other in (world.member_b, world.procurement_x, world.operator):
        client.force_login(other)
        assert client.get(f"/bids/{bid.pk}/receipt/").status_code in (302, 404)
        assert bid.receipt_nonce not in client.get(f"/tenders/{small_tender.pk}/").content.decode()


def test_after_opening_the_revealed_nonce_verifies_the_digest(world, small_tender, client, clock):
    bid = sealed_bid(world, small_tender)
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_close(tender_id=small_tender.pk)
    bid.refresh_from_db()
    assert bid.status == Bid.Status.OPENED and bid.digest_verified is True
    # The opening record shows the nonce; anyone can recompute the digest from the record and the receipt.
    client.force_login(world.member_a)
    page = client.get(f"/tenders/{small_tender.pk}/").content.decode()
    assert bid.receipt_nonce in page and bid.receipt_digest in page
    attachment = bid.attachments.get()
    content = {"tender": small_tender.pk, "organisation": world.org_a.pk, "version": 1, "price": "437.19",
               "proposal": "每周上门两次，配备社工2名", "submitted_at": bid.submitted_at.isoformat(),
               "files": [{"name": "方案.pdf", "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}],
               "nonce": bid.receipt_nonce}
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == bid.receipt_digest


def test_a_bid_sealed_before_the_nonce_still_verifies_at_opening(world, small_tender, clock):
    bid = sealed_bid(world, small_tender)
    # As the migration leaves an older bid: no nonce, the digest of the old canonical form.
    content = services.bid_canonical_content(bid)
    del content["nonce"]
    Bid.objects.filter(pk=bid.pk).update(receipt_nonce="", receipt_digest=services.digest_of(content))
    tampered = sealed_bid_of_b(world, small_tender)
    Bid.objects.filter(pk=tampered.pk).update(receipt_nonce="")  # a nonce lost is a mismatch, not a pass
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_close(tender_id=small_tender.pk)
    assert Bid.objects.get(pk=bid.pk).digest_verified is True
    assert Bid.objects.get(pk=tampered.pk).digest_verified is False


def sealed_bid_of_b(world, tender):
    draft = services.bid_save_draft(actor=world.member_b, tender_id=tender.pk, organisation=world.org_b,
                                    price=Decimal("450.00"))
    return services.bid_submit(actor=world.member_b, bid_id=draft.pk)


# --- A double click gives one receipt ------------------------------------------------------------------


def form(world, **extra):
    return {"organisation": world.org_a.pk, "price": "512.30", "proposal": "方案", "submit": "1", **extra}


def test_a_double_click_on_submit_gives_one_receipt(world, small_tender, client):
    client.force_login(world.member_a)
    url = f"/tenders/{small_tender.pk}/bid/"
    first = client.post(url, {**form(world), "attachments": SimpleUploadedFile("a.pdf", PDF)})
    second = client.post(url, {**form(world), "attachments": SimpleUploadedFile("a.pdf", PDF)})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    bid = Bid.objects.get(tender=small_tender, organisation=world.org_a)  # one version, no superseded copy
    assert bid.status == Bid.Status.SUBMITTED and bid.version == 1 and bid.attachments.count() == 1
    assert first["Location"].endswith(f"/bids/{bid.pk}/receipt/")
    verbs = list(AuditEvent.objects.filter(object_id=str(bid.pk), verb__startswith="bid.")
                 .values_list("verb", flat=True))
    assert verbs.count("bid.submit") == 1 and "bid.supersede" not in verbs
    # A changed bid is a new version, as before.
    third = client.post(url, form(world, price="512.29"))
    assert third.status_code == 302 and third["Location"] != first["Location"]
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUPERSEDED
    assert Bid.objects.get(tender=small_tender, organisation=world.org_a, status=Bid.Status.SUBMITTED).version == 2
    # So is the same bid with a new file.
    fourth = client.post(url, {**form(world, price="512.29"), "attachments": SimpleUploadedFile("b.pdf", PDF + b"b")})
    assert fourth.status_code == 302 and fourth["Location"] != third["Location"]


def test_submitting_a_submitted_bid_again_returns_the_same_receipt(world, small_tender):
    bid = sealed_bid(world, small_tender)
    again = services.bid_submit(actor=world.member_a, bid_id=bid.pk)
    assert (again.pk, again.receipt_digest, again.receipt_nonce, again.submitted_at) == (
        bid.pk, bid.receipt_digest, bid.receipt_nonce, bid.submitted_at)
    same = services.bid_submit_content(actor=world.member_a, tender_id=small_tender.pk, organisation=world.org_a,
                                       price=Decimal("437.19"), proposal="每周上门两次，配备社工2名",
                                       files=[SimpleUploadedFile("方案.pdf", PDF)])
    assert same.pk == bid.pk and same.receipt_digest == bid.receipt_digest
    assert AuditEvent.objects.filter(object_id=str(bid.pk), verb="bid.submit").count() == 1
    assert Bid.objects.filter(tender=small_tender, organisation=world.org_a).count() == 1

