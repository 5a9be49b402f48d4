"""The evaluation report (评标报告) and the award notice (中标公示) as PDFs: content, fonts and who may open them."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

from bids import services
from bids.models import Tender
from tests.factories import MembershipFactory, OrganisationFactory

from .conftest import DEADLINE, SH

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member_a", "member_b", "procurement_x", "procurement_y", "evaluator_x", "head_x", "operator")


def pdf_text(tmp_path, content: bytes) -> tuple[str, str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    text = subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    fonts = subprocess.run([shutil.which("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts


def cjk_embedded(fonts: str) -> bool:
    return any("CJK" in line.replace("-", "") and " yes " in line for line in fonts.splitlines())


def statuses(client, world, url, **extra_users):
    result = {}
    for role in (*ROLES, *extra_users):
        client.logout()
        user = extra_users.get(role) or (getattr(world, role) if role != "anonymous" else None)
        if user:
            client.force_login(user)
        result[role] = client.get(url).status_code
    return result


@pytest.fixture
def evaluated(world, draft_tender, clock):
    """A comprehensive tender after evaluation: A cheap and weak, B dear and strong, C disqualified."""
    services.criteria_set(actor=world.procurement_x, tender_id=draft_tender.pk, price_weight=30,
                          criteria=[("服务方案", 40), ("团队资质", 30)])
    services.tender_update(actor=world.procurement_x, tender=draft_tender,
                           clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                           submission_deadline=DEADLINE)
    tender = services.tender_publish(actor=world.procurement_x, tender=draft_tender)
    org_c = OrganisationFactory(name="江南社区服务社", categories=[world.category])
    member_c = MembershipFactory(organisation=org_c).user
    bids = {}
    for user, org, price in ((world.member_a, world.org_a, "80000.00"), (world.member_b, world.org_b, "100000.00"),
                             (member_c, org_c, "70000.00")):
        draft = services.bid_save_draft(actor=user, tender_id=tender.pk, organisation=org, price=Decimal(price))
        bids[org.name] = services.bid_submit(actor=user, bid_id=draft.pk)
    services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=world.evaluator_x)
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_start_evaluation(actor=world.procurement_x, tender_id=tender.pk)
    services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)
    cheap, strong, bad = bids["长河社会工作服务中心"], bids["滨江阳光助老服务社"], bids["江南社区服务社"]
    services.bid_qualify(actor=world.evaluator_x, bid_id=cheap.pk, qualified=True)
    services.bid_qualify(actor=world.evaluator_x, bid_id=strong.pk, qualified=True)
    services.bid_qualify(actor=world.evaluator_x, bid_id=bad.pk, qualified=False, reason="缺少民非登记证书")
    criteria = list(tender.criteria.order_by("order"))
    for bid, marks in ((cheap, (20, 10)), (strong, (40, 30))):
        for criterion, points in zip(criteria, marks, strict=True):
            services.score_record(actor=world.evaluator_x, bid_id=bid.pk, criterion_id=criterion.pk, points=points,
                                  comment=f"评语{criterion.name}{points}")
    tender.refresh_from_db()
    return tender, cheap, strong, bad, member_c


def test_evaluation_report_pdf_has_the_panel_scores_ranking_and_award(world, evaluated, client, tmp_path):
    tender, cheap, strong, bad, member_c = evaluated
    url = f"/dashboard/tenders/{tender.pk}/evaluation-report.pdf"
    # During the evaluation: an interim report for the office and the declared panel only.
    expected = {"anonymous": 302, "member_a": 404, "member_b": 404, "procurement_x": 200, "procurement_y": 404,
                "evaluator_x": 200, "head_x": 200, "operator": 404, "member_c": 404}
    assert statuses(client, world, url, member_c=member_c) == expected
    client.force_login(world.procurement_x)
    assert url in client.get(f"/dashboard/tenders/{tender.pk}/").content.decode()
    # The head chooses the second-ranked bid, with a justification.
    services.tender_propose_award(actor=world.head_x, tender_id=tender.pk, bid_id=cheap.pk,
                                  justification="价格更低且本街道服务经验丰富")
    response = client.get("/en" + url)  # English labels; the names stay Chinese, in the embedded CJK font
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, fonts = pdf_text(tmp_path, response.content)
    assert cjk_embedded(fonts)
    flat = " ".join(text.split())
    assert "Evaluation report" in flat and tender.title in flat and "Comprehensive scoring" in flat
    declared = tender.panel.get().declared_at.astimezone(SH).strftime("%Y-%m-%d %H:%M")
    assert str(world.evaluator_x) in flat and f"Declared {declared}" in flat  # the panel and its declaration
    squashed = "".join(text.split())  # table cells wrap Chinese names across lines
    assert "Disqualified:缺少民非登记证书" in squashed  # the decision with its reason and who made it
    assert str(world.evaluator_x) in squashed.split("缺少民非登记证书")[1][:80]
    assert "评语服务方案40" in squashed and "评语团队资质10" in squashed  # per-evaluator scores with comments
    ranking = squashed.split("Ranking")[-1]
    # strong: 70 technical + 24 price = 94; cheap: 30 + 30 = 60; strong ranks first.
    assert ranking.index("滨江阳光助老服务社") < ranking.index("长河社会工作服务中心")
    assert "94.00" in ranking and "60.00" in ranking and "江南社区服务社" not in ranking.split("Price score =")[0]
    assert "a tie goes to the lower price, then to the earlier submission" in flat
    award = squashed.split("Awarddecision")[-1]
    assert "长河社会工作服务中心" in award and "价格更低且本街道服务经验丰富" in award and "Rankedfirstno" in award
    # The default language renders the same report.
    assert client.get(url).status_code == 200


def test_report_is_not_available_before_the_evaluation(world, tender, clock, client):
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_close(tender_id=tender.pk)
    client.force_login(world.procurement_x)
    assert client.get(f"/dashboard/tenders/{tender.pk}/evaluation-report.pdf").status_code == 404


def test_award_notice_pdf_is_public_during_and_after_the_standstill(world, evaluated, client, clock, tmp_path):
    tender, cheap, strong, bad, member_c = evaluated
    url = f"/tenders/{tender.pk}/award.pdf"
    assert statuses(client, world, url) == dict.fromkeys(ROLES, 404)  # no award proposed yet
    services.tender_propose_award(actor=world.head_x, tender_id=tender.pk, bid_id=cheap.pk,
                                  justification="价格更低且本街道服务经验丰富")
    tender.refresh_from_db()
    assert statuses(client, world, url) == dict.fromkeys(ROLES, 200)
    client.logout()
    for page in ("/awards/", f"/tenders/{tender.pk}/"):
        assert url in client.get(page).content.decode()
    assert client.get(url).status_code == 200  # the default language (Chinese) too
    text, fonts = pdf_text(tmp_path, client.get("/en" + url).content)
    assert cjk_embedded(fonts)
    flat, squashed = " ".join(text.split()), "".join(text.split())
    assert "Award notice" in flat and tender.title in squashed and tender.office.name in squashed
    assert "Winningbidder长河社会工作服务中心" in squashed and "Awardprice¥80,000.00" in squashed
    assert "价格更低且本街道服务经验丰富" in squashed  # why the first-ranked bid was not chosen
    assert tender.standstill_ends_at.astimezone(SH).strftime("%Y-%m-%d %H:%M") in flat
    how = flat.split("How to object")[-1]
    assert f"/tenders/{tender.pk}/" in how and "objection" in how
    summary = squashed.split("Ranking")[-1]
    assert summary.index("滨江阳光助老服务社") < summary.index("长河社会工作服务中心")
    # After the standstill the award is final and the notice stays at the same address.
    clock.move_to(tender.standstill_ends_at)
    services.tenders_end_standstill_due()
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.AWARDED
    assert client.get(url).status_code == 200


def test_an_upheld_objection_withdraws_the_award_notice(world, evaluated, client):
    tender, cheap, strong, bad, member_c = evaluated
    services.tender_propose_award(actor=world.head_x, tender_id=tender.pk, bid_id=strong.pk)
    objection = services.objection_lodge(actor=world.member_a, tender_id=tender.pk, organisation=world.org_a,
                                         grounds="评分有误")
    services.objection_answer(actor=world.head_x, objection_id=objection.pk, upheld=True, answer="重新评审")
    assert client.get(f"/tenders/{tender.pk}/award.pdf").status_code == 404
