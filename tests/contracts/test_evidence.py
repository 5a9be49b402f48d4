"""Milestone evidence: the provider hands in a report and files; the files are checked by content, stored privately,
downloaded only by the two parties and operators, and never appear on the public summary."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts import services
from contracts.models import Milestone, MilestoneEvidenceFile
from marketplace.errors import Conflict, NotFound, ValidationFailed

from .contract_helpers import MONDAY, active_contract, make_contract, pdf_file, png_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def contract(world):
    return active_contract(world)


def _first(contract):
    return contract.milestones.order_by("sequence").first()


def _submit(client, contract, milestone, files, report="第一季度入户服务120人次，附签到表和照片。", lang=""):
    return client.post(f"{lang}/dashboard/contracts/{contract.pk}/evidence/",
                       {"milestone": milestone.pk, "report": report, "files": files})


def test_provider_submits_a_report_with_files_and_the_parties_download_them(client, world, contract):
    milestone = _first(contract)
    client.force_login(world.member_a)
    response = _submit(client, contract, milestone, [pdf_file(), png_file()])
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SUBMITTED and milestone.submitted_at == milestone.first_submitted_at
    files = list(milestone.evidence_files.order_by("pk"))
    assert [f.original_name for f in files] == ["签到表.pdf", "现场照片.png"]
    # Stored under a random name, not the uploaded one.
    assert "签到表" not in files[0].file.name and files[0].file.name.startswith("evidence/")
    for user in (world.member_a, world.procurement_x, world.head_x, world.operator):
        client.force_login(user)
        page = client.get(f"/dashboard/contracts/{contract.pk}/").content.decode()
        assert "签到表.pdf" in page and "第一季度入户服务120人次" in page
        download = client.get(f"/dashboard/contracts/{contract.pk}/evidence/{files[0].pk}/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF-")
        assert download["Cache-Control"] == "private, no-store"
    for user in (world.member_b, world.evaluator_x, world.procurement_y):
        client.force_login(user)
        assert client.get(f"/dashboard/contracts/{contract.pk}/evidence/{files[0].pk}/").status_code == 404
    client.logout()
    assert client.get(f"/dashboard/contracts/{contract.pk}/evidence/{files[0].pk}/").status_code == 302


def test_a_file_of_another_contract_is_not_found_through_this_one(client, world, contract):
    other = active_contract(world, title="助餐服务")
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=_first(other).pk, report="助餐记录",
                                       files=[pdf_file()])
    evidence = MilestoneEvidenceFile.objects.get(milestone__contract=other)
    client.force_login(world.member_a)
    assert client.get(f"/dashboard/contracts/{contract.pk}/evidence/{evidence.pk}/").status_code == 404
    assert client.get(f"/dashboard/contracts/{other.pk}/evidence/{evidence.pk}/").status_code == 200


def test_a_disguised_file_is_refused_with_its_name_and_nothing_is_stored(client, world, contract):
    milestone = _first(contract)
    client.force_login(world.member_a)
    fake = SimpleUploadedFile("报告.pdf", b"just some text, not a PDF", content_type="application/pdf")
    response = _submit(client, contract, milestone, [pdf_file(), fake], lang="/en")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "报告.pdf: Only PDF, JPEG and PNG files are accepted" in page
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.SCHEDULED and milestone.evidence_report == ""
    assert not MilestoneEvidenceFile.objects.exists()
    # In Chinese too.
    fake = SimpleUploadedFile("报告.pdf", b"just some text, not a PDF", content_type="application/pdf")
    response = _submit(client, contract, milestone, [fake])
    assert "仅接受 PDF、JPEG 和 PNG 文件" in client.get(response.url).content.decode()


def test_evidence_refusals_wrong_side_wrong_state_empty_report(world, contract):
    milestone = _first(contract)
    with pytest.raises(NotFound):
        services.milestone_submit_evidence(actor=world.procurement_x, milestone_id=milestone.pk, report="x")
    with pytest.raises(NotFound):
        services.milestone_submit_evidence(actor=world.member_b, milestone_id=milestone.pk, report="x")
    with pytest.raises(ValidationFailed):
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=milestone.pk, report="   ")
    with pytest.raises(ValidationFailed):
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=milestone.pk, report="x",
                                           files=[pdf_file(f"{n}.pdf") for n in range(11)])
    draft = make_contract(world, title="未签合同")
    with pytest.raises(Conflict):
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=_first(draft).pk, report="x")


def test_resubmission_after_rejection_keeps_the_first_date_and_adds_files(world, contract):
    milestone = _first(contract)
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=milestone.pk, report="初稿",
                                       files=[pdf_file()])
    first = Milestone.objects.get(pk=milestone.pk).first_submitted_at
    services.milestone_reject(actor=world.procurement_x, milestone_id=milestone.pk, reason="缺少照片")
    with time_machine.travel(MONDAY.replace(day=5), tick=False):
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=milestone.pk, report="补充照片",
                                           files=[png_file()])
    milestone.refresh_from_db()
    assert milestone.first_submitted_at == first and milestone.submitted_at > first
    assert milestone.rejection_count == 1 and milestone.evidence_files.count() == 2


def test_the_public_summary_shows_dates_and_status_but_no_private_evidence(client, world, contract):
    milestone = _first(contract)
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=milestone.pk,
                                       report="私密报告：张阿姨家访记录", files=[pdf_file("居民名单.pdf")])
    evidence = MilestoneEvidenceFile.objects.get()
    client.logout()
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert world.office_x.name in page and world.org_a.name in page and "98,000.00" in page
    assert "2026-03-02" in page and milestone.due_on.isoformat() in page  # the submission day and due date
    assert "私密报告" not in page and "张阿姨" not in page
    assert "居民名单" not in page and evidence.file.name not in page and "/evidence/" not in page
    # The same holds for a signed-in party looking at the public summary.
    client.force_login(world.member_a)
    page = client.get(f"/en/contracts/{contract.pk}/").content.decode()
    assert "私密报告" not in page and "居民名单" not in page
