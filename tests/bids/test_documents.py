"""Tender documents, bid responses and files: uploads, sealing of the files, and the digest that covers them."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bids import services
from bids.models import Bid, BidAttachment, Tender
from marketplace.errors import Conflict, ValidationFailed
from marketplace.uploads import private_storage

from .conftest import DEADLINE, SH, submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="file.pdf", body=b""):
    return SimpleUploadedFile(name, PDF + body, content_type="application/pdf")


def publish(world, tender):
    services.tender_update(actor=world.procurement_x, tender=tender,
                           clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                           submission_deadline=DEADLINE)
    return services.tender_publish(actor=world.procurement_x, tender=tender)


def tender_form_data(tender, **extra):
    """What the office's form posts back for this draft, as the browser would send it."""
    from bids.forms import TenderForm

    form = TenderForm(instance=tender)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "tender_document" or value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, dt.datetime):
            data[name] = value.astimezone(SH).strftime("%Y-%m-%dT%H:%M")
        else:
            data[name] = str(value)
    return {**data, **extra}


# --- The tender document ------------------------------------------------------------------------------


def test_tender_document_is_checked_replaceable_while_draft_public_once_published(
        world, draft_tender, client, django_capture_on_commit_callbacks):
    # given a draft: the officer uploads through the working page; a disguised file is refused, input kept
    client.force_login(world.procurement_x)
    url = f"/dashboard/tenders/{draft_tender.pk}/"
    response = client.post(url, tender_form_data(draft_tender, title="居家养老上门服务（二期）",
                                                 tender_document=SimpleUploadedFile("招标文件.pdf", b"just text")))
    assert response.status_code == 400
    page = response.content.decode()
    assert "居家养老上门服务（二期）" in page and "PDF" in page
    with pytest.raises(ValidationFailed) as exc:
        services.tender_document_attach(actor=world.procurement_x, tender_id=draft_tender.pk,
                                        document=SimpleUploadedFile("scan.png", PNG))
    assert exc.value.code == "document_not_pdf"
    # when a real PDF is uploaded, and then replaced
    response = client.post(url, tender_form_data(draft_tender, tender_document=pdf("招标文件.pdf", b"v1")))
    assert response.status_code == 302
    first = Tender.objects.get(pk=draft_tender.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.tender_document_attach(actor=world.procurement_x, tender_id=draft_tender.pk,
                                        document=pdf("招标文件v2.pdf", b"v2"))
    tender = Tender.objects.get(pk=draft_tender.pk)
    import hashlib

    assert tender.document_sha256 == hashlib.sha256(PDF + b"v2").hexdigest() != first.document_sha256
    assert tender.document_name == "招标文件v2.pdf" and tender.document_size == len(PDF) + 2
    assert not private_storage().exists(first.document.name)  # the replaced file is gone
    # then: the draft's document is the office's only
    client.logout()
    assert client.get(f"/tenders/{tender.pk}/document.pdf").status_code == 404
    client.force_login(world.procurement_x)
    assert client.get(f"/tenders/{tender.pk}/document.pdf").status_code == 200
    # and once published it is public, its SHA-256 shown, and fixed
    publish(world, tender)
    client.logout()
    response = client.get(f"/tenders/{tender.pk}/document.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF + b"v2"
    assert "招标文件v2" in response["Content-Disposition"] or "%E6%8B%9B" in response["Content-Disposition"]
    page = client.get(f"/tenders/{tender.pk}/").content.decode()
    assert tender.document_sha256 in page and f"/tenders/{tender.pk}/document.pdf" in page
    with pytest.raises(Conflict) as exc:
        services.tender_document_attach(actor=world.procurement_x, tender_id=tender.pk, document=pdf("v3.pdf"))
    assert exc.value.code == "document_fixed"


def test_tender_document_size_limit_and_strangers(world, draft_tender, settings):
    settings.UPLOAD_MAX_BYTES = 20
    with pytest.raises(ValidationFailed) as exc:
        services.tender_document_attach(actor=world.procurement_x, tender_id=draft_tender.pk, document=pdf())
    assert exc.value.code == "upload_too_large"
    from marketplace.errors import NotFound

    with pytest.raises(NotFound):
        services.tender_document_attach(actor=world.procurement_y, tender_id=draft_tender.pk, document=pdf())


# --- Responses per criterion ----------------------------------------------------------------------------


@pytest.fixture
def comprehensive(world, draft_tender):
    services.criteria_set(actor=world.procurement_x, tender_id=draft_tender.pk, price_weight=30,
                          criteria=[("服务方案", 40, True), ("团队资质", 30)])
    return publish(world, draft_tender)


def test_required_responses_are_asked_for_and_the_form_keeps_what_was_typed(world, comprehensive, client):
    tender = comprehensive
    plan, team = tender.criteria.order_by("order")
    client.force_login(world.member_a)
    page = client.get(f"/tenders/{tender.pk}/bid/").content.decode()
    assert f'name="response_{plan.pk}"' in page and f'name="response_{team.pk}"' in page
    data = {"organisation": world.org_a.pk, "price": "88000.00", "proposal": "总体方案",
            f"response_{plan.pk}": "  ", f"response_{team.pk}": "社工8名", "submit": "1"}
    response = client.post(f"/tenders/{tender.pk}/bid/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "服务方案" in page.split('class="message message-error"')[1].split("</div>")[0]
    assert "社工8名" in page and "总体方案" in page and "88000.00" in page
    draft = Bid.objects.get(tender=tender, organisation=world.org_a)
    assert draft.status == Bid.Status.DRAFT  # saved as a draft; nothing lost
    # Unknown criteria are refused by the service.
    with pytest.raises(ValidationFailed):
        services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                price=Decimal("1"), responses={999999: "x"})
    response = client.post(f"/tenders/{tender.pk}/bid/", {**data, f"response_{plan.pk}": "每周上门两次"})
    assert response.status_code == 302
    bid = Bid.objects.get(tender=tender, organisation=world.org_a, status=Bid.Status.SUBMITTED)
    assert dict(bid.responses.values_list("criterion_id", "text")) == {plan.pk: "每周上门两次", team.pk: "社工8名"}
    assert bid.receipt_digest == services.bid_digest(bid)
    # The form of a replacement starts from the sealed version.
    page = client.get(f"/tenders/{tender.pk}/bid/").content.decode()
    assert "每周上门两次" in page


def test_a_changed_response_shows_a_mismatch_at_opening(world, comprehensive, clock):
    tender = comprehensive
    plan = tender.criteria.get(name="服务方案")
    draft = services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                    price=Decimal("90000"), responses={plan.pk: "原方案"})
    bid = services.bid_submit(actor=world.member_a, bid_id=draft.pk)
    with pytest.raises(ValidationFailed) as exc:  # a required criterion left unanswered
        submit(world, tender, world.member_b, world.org_b)
    assert exc.value.code == "responses_required" and "服务方案" in exc.value.message
    bid.responses.filter(criterion=plan).update(text="改过的方案")
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_close(tender_id=tender.pk)
    bid.refresh_from_db()
    assert bid.status == Bid.Status.OPENED and bid.digest_verified is False


# --- Bid files ------------------------------------------------------------------------------------------


def test_files_change_only_on_drafts_and_a_replacement_copies_them(world, tender, client, clock,
                                                                   django_capture_on_commit_callbacks):
    draft = services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                    price=Decimal("90000"))
    kept = services.bid_attachment_add(actor=world.member_a, bid_id=draft.pk, file=pdf("资质证明.pdf", b"a"))
    dropped = services.bid_attachment_add(actor=world.member_a, bid_id=draft.pk, file=pdf("旧报价.pdf", b"b"))
    with pytest.raises(ValidationFailed) as exc:  # checked by content like every upload
        services.bid_attachment_add(actor=world.member_a, bid_id=draft.pk,
                                    file=SimpleUploadedFile("x.pdf", b"MZ executable"))
    assert exc.value.code == "upload_type"
    from marketplace.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.bid_attachment_add(actor=world.member_b, bid_id=draft.pk, file=pdf())
    client.force_login(world.member_b)  # another bidder cannot even find it
    assert client.post(f"/bids/files/{dropped.pk}/remove/").status_code == 404
    client.force_login(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/bids/files/{dropped.pk}/remove/")
    assert response.status_code == 302 and response.url.endswith(f"/tenders/{tender.pk}/bid/")
    assert not BidAttachment.objects.filter(pk=dropped.pk).exists()
    assert not private_storage().exists(dropped.file.name)
    # Several files at once through the bid form.
    response = client.post(f"/tenders/{tender.pk}/bid/", {
        "organisation": world.org_a.pk, "price": "90000.00", "proposal": "方案",
        "attachments": [pdf("团队.pdf", b"c"), SimpleUploadedFile("照片.png", PNG)], "save": "1"})
    assert response.status_code == 302
    assert sorted(draft.attachments.values_list("original_name", flat=True)) == ["团队.pdf", "照片.png", "资质证明.pdf"]
    page = client.get(f"/tenders/{tender.pk}/bid/").content.decode()  # the draft's files, each removable
    assert page.count("/remove/") == 3 and kept.sha256 in page
    sealed = services.bid_submit(actor=world.member_a, bid_id=draft.pk)
    # Sealed: no change to its files, by service or page.
    with pytest.raises(Conflict) as exc:
        services.bid_attachment_add(actor=world.member_a, bid_id=sealed.pk, file=pdf())
    assert exc.value.code == "not_draft"
    assert client.post(f"/bids/files/{kept.pk}/remove/").status_code == 409
    # A replacement starts with the same files, sharing the stored file; removing its copy keeps the original.
    replacement = services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                          price=Decimal("89000"))
    copies = list(replacement.attachments.order_by("pk"))
    assert [(a.original_name, a.sha256, a.file.name) for a in copies] == [
        (a.original_name, a.sha256, a.file.name) for a in sealed.attachments.order_by("pk")]
    with django_capture_on_commit_callbacks(execute=True):
        services.bid_attachment_remove(actor=world.member_a, bid_id=replacement.pk, attachment_id=copies[0].pk)
    assert private_storage().exists(kept.file.name)
    # From the deadline on, every write to files is refused with 409 and the tender closes first.
    clock.move_to(DEADLINE)
    with pytest.raises(Conflict) as exc:
        services.bid_attachment_add(actor=world.member_a, bid_id=replacement.pk, file=pdf())
    assert exc.value.code == "deadline_passed"
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.CLOSED
    assert client.post(f"/bids/files/{copies[1].pk}/remove/").status_code == 409


def test_the_receipt_covers_each_file_and_lists_it_on_the_page_and_the_pdf(world, tender, client, tmp_path):
    draft = services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                    price=Decimal("90000"))
    a = services.bid_attachment_add(actor=world.member_a, bid_id=draft.pk, file=pdf("服务方案.pdf", b"x"))
    bid = services.bid_submit(actor=world.member_a, bid_id=draft.pk)
    # The digest depends on the file's hash: the same bid with another hash digests differently.
    before = bid.receipt_digest
    assert services.bid_digest(bid, file_hashes={a.pk: "0" * 64}) != before == services.bid_digest(bid)
    client.force_login(world.member_a)
    page = client.get(f"/bids/{bid.pk}/receipt/").content.decode()
    assert a.sha256 in page and "服务方案.pdf" in page
    response = client.get(f"/bids/{bid.pk}/receipt.pdf")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.content)
    text = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "").replace(" ", "")
    assert a.sha256 in text and "服务方案.pdf" in text and bid.receipt_digest in text


def test_a_file_changed_in_storage_after_submission_shows_a_mismatch_at_opening(world, tender, clock, client):
    bids = {}
    for user, org, body in ((world.member_a, world.org_a, b"A"), (world.member_b, world.org_b, b"B")):
        draft = services.bid_save_draft(actor=user, tender_id=tender.pk, organisation=org, price=Decimal("90000"))
        services.bid_attachment_add(actor=user, bid_id=draft.pk, file=pdf("方案.pdf", body))
        bids[org.pk] = services.bid_submit(actor=user, bid_id=draft.pk)
    tampered = bids[world.org_a.pk].attachments.get()
    with open(private_storage().path(tampered.file.name), "wb") as handle:  # behind the platform's back
        handle.write(PDF + b"changed")
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_close(tender_id=tender.pk)
    a, b = (Bid.objects.get(pk=bids[o.pk].pk) for o in (world.org_a, world.org_b))
    assert (a.digest_verified, b.digest_verified) == (False, True)
    assert (a.attachments.get().verified, b.attachments.get().verified) == (False, True)
    client.force_login(world.procurement_x)
    page = client.get(f"/dashboard/tenders/{tender.pk}/").content.decode()
    assert page.count("does not match") >= 1 or page.count("不一致") >= 1
    record = page.split('id="opening-heading"')[1].split("</table>")[0]
    assert record.count("badge-warn") == 1 and record.count("badge-ok") == 1


def test_who_may_download_a_bid_file_before_and_after_opening(world, tender, clock, client):
    draft = services.bid_save_draft(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                    price=Decimal("90000"))
    file = services.bid_attachment_add(actor=world.member_a, bid_id=draft.pk, file=pdf("方案.pdf", b"sealed"))
    services.bid_submit(actor=world.member_a, bid_id=draft.pk)
    services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=world.evaluator_x)
    url = f"/bids/files/{file.pk}/"

    def statuses():
        result = {}
        for role in ("anonymous", "member_a", "member_b", "procurement_x", "head_x", "evaluator_x",
                     "procurement_y", "operator"):
            client.logout()
            if role != "anonymous":
                client.force_login(getattr(world, role))
            response = client.get(url)
            if response.status_code == 200:
                assert b"".join(response.streaming_content) == PDF + b"sealed"
                assert response["Cache-Control"] == "private, no-store"
            result[role] = response.status_code
        return result

    sealed = {"anonymous": 302, "member_a": 200, "member_b": 404, "procurement_x": 404, "head_x": 404,
              "evaluator_x": 404, "procurement_y": 404, "operator": 404}
    assert statuses() == sealed
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    opened = {**sealed, "procurement_x": 200, "head_x": 200}  # the evaluator has not declared yet
    assert statuses() == opened
    services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)
    assert statuses() == {**opened, "evaluator_x": 200}
    client.force_login(world.evaluator_x)  # the declared panel reads responses and files on the working page
    assert f"/bids/files/{file.pk}/" in client.get(f"/dashboard/tenders/{tender.pk}/").content.decode()
