"""Evaluation: criteria weights, the panel's declarations, scoring, and the ranking that the award uses."""

import datetime as dt
from decimal import Decimal

import pytest

from bids import services
from bids.models import Bid, Score, Tender
from marketplace import services as marketplace_services
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import AuditEvent
from tests.factories import MembershipFactory, UserFactory

from .conftest import DEADLINE, SH, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def comprehensive(world, draft_tender):
    services.criteria_set(actor=world.procurement_x, tender_id=draft_tender.pk, price_weight=30,
                          criteria=[("服务方案", 40), ("团队资质", 30)])
    services.tender_update(actor=world.procurement_x, tender=draft_tender,
                           clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                           submission_deadline=DEADLINE)
    return services.tender_publish(actor=world.procurement_x, tender=draft_tender)


def test_weights_must_sum_to_100(world, draft_tender):
    with pytest.raises(ValidationFailed) as exc:
        services.criteria_set(actor=world.procurement_x, tender_id=draft_tender.pk, price_weight=30,
                              criteria=[("方案", 40), ("资质", 20)])
    assert exc.value.code == "weights_sum_100" and "90" in exc.value.message


def test_panel_declares_before_seeing_bids_and_scores_decide_the_ranking(world, comprehensive, clock, client):
    tender = comprehensive
    cheap = submit(world, tender, world.member_a, world.org_a, "80000.00")
    strong = submit(world, tender, world.member_b, world.org_b, "100000.00")
    services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=world.evaluator_x)
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_start_evaluation(actor=world.procurement_x, tender_id=tender.pk)
    criteria = list(tender.criteria.order_by("order"))
    # Not declared yet: no qualifying, no scores and no prices on the working page.
    with pytest.raises(PermissionDenied):
        services.bid_qualify(actor=world.evaluator_x, bid_id=cheap.pk, qualified=True)
    client.force_login(world.evaluator_x)
    assert "80,000.00" not in client.get(f"/dashboard/tenders/{tender.pk}/").content.decode()
    services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)
    assert "80,000.00" in client.get(f"/dashboard/tenders/{tender.pk}/").content.decode()
    for bid in (cheap, strong):
        services.bid_qualify(actor=world.evaluator_x, bid_id=bid.pk, qualified=True)
    with pytest.raises(ValidationFailed):
        services.score_record(actor=world.evaluator_x, bid_id=cheap.pk, criterion_id=criteria[0].pk, points=41)
    for bid, marks in ((cheap, (20, 10)), (strong, (40, 30))):
        for criterion, points in zip(criteria, marks, strict=True):
            services.score_record(actor=world.evaluator_x, bid_id=bid.pk, criterion_id=criterion.pk,
                                  points=points, comment="依据方案评分")
    ranking = services.tender_ranking(Tender.objects.get(pk=tender.pk))
    # cheap: 30 technical + 30 price = 60; strong: 70 technical + 24 price = 94.
    assert [(b.pk, e.total) for b, e in ranking] == [(strong.pk, Decimal("94.00")), (cheap.pk, Decimal("60.00"))]
    services.tender_propose_award(actor=world.head_x, tender_id=tender.pk, bid_id=strong.pk)  # first: no note


def test_a_member_of_a_bidding_organisation_cannot_evaluate(world, tender, clock):
    conflicted = UserFactory()
    marketplace_services.office_staff_add(actor=world.operator, office=world.office_x, user=conflicted,
                                          role="evaluator")
    MembershipFactory(organisation=world.org_a, user=conflicted, role="member")
    submit(world, tender, world.member_a, world.org_a)
    services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=conflicted)  # sealed: allowed
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    with pytest.raises(PermissionDenied):
        services.panel_declare(actor=conflicted, tender_id=tender.pk)
    with pytest.raises(PermissionDenied):
        services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=conflicted)


def test_only_office_evaluators_join_and_declarations_wait_for_opening(world, tender):
    with pytest.raises(ValidationFailed):
        services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=world.member_a)
    services.panel_add(actor=world.procurement_x, tender_id=tender.pk, evaluator=world.evaluator_x)
    with pytest.raises(Conflict):
        services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)


def test_the_officer_sets_the_criteria_on_the_working_page_and_they_must_add_up(world, draft_tender, client):
    from .test_documents import tender_form_data

    client.force_login(world.procurement_x)
    url = f"/dashboard/tenders/{draft_tender.pk}/"
    assert 'name="criteria-0-name"' in client.get(url).content.decode()
    rows = {"criteria-TOTAL_FORMS": "3", "criteria-INITIAL_FORMS": "0",
            "criteria-0-name": "服务方案", "criteria-0-weight": "40", "criteria-0-response_required": "on",
            "criteria-1-name": "团队资质", "criteria-1-weight": "20", "criteria-2-name": "", "criteria-2-weight": ""}
    data = tender_form_data(draft_tender, method="comprehensive", price_weight="30", **rows)
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "90" in page.split('class="message message-error"')[1].split("</div>")[0]  # they add up to 90
    assert 'value="团队资质"' in page and 'value="20"' in page  # what was typed is kept
    assert not draft_tender.criteria.exists()
    response = client.post(url, {**data, "criteria-1-weight": "30"})
    assert response.status_code == 302
    tender = Tender.objects.get(pk=draft_tender.pk)
    assert (tender.method, tender.price_weight) == (Tender.Method.COMPREHENSIVE, 30)
    assert list(tender.criteria.values_list("name", "weight", "response_required")) == [
        ("服务方案", 40, True), ("团队资质", 30, False)]
    # A half-filled row is refused with its own message.
    response = client.post(url, {**data, "criteria-2-name": "服务经验"})
    assert response.status_code == 400 and tender.criteria.count() == 2


def test_comprehensive_scoring_without_valid_criteria_cannot_be_published(world, draft_tender):
    services.tender_update(actor=world.procurement_x, tender=draft_tender, method="comprehensive", price_weight=30,
                           clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                           submission_deadline=DEADLINE)
    with pytest.raises(ValidationFailed) as exc:
        services.tender_publish(actor=world.procurement_x, tender=draft_tender)
    assert any("100" in str(reason) for reason in exc.value.reasons)


# --- The panel rule: only declared panel members qualify, disqualify and score ---------------------------------


@pytest.fixture
def evaluating(world, comprehensive, clock):
    """Comprehensive tender under evaluation with two opened bids; evaluator X has a seat but has not declared."""
    cheap = submit(world, comprehensive, world.member_a, world.org_a, "80000.00")
    strong = submit(world, comprehensive, world.member_b, world.org_b, "100000.00")
    services.panel_add(actor=world.procurement_x, tender_id=comprehensive.pk, evaluator=world.evaluator_x)
    clock.move_to(DEADLINE + dt.timedelta(seconds=1))
    services.tender_start_evaluation(actor=world.procurement_x, tender_id=comprehensive.pk)
    unseated = UserFactory(email="unseated@example.cn")
    marketplace_services.office_staff_add(actor=world.operator, office=world.office_x, user=unseated,
                                          role="evaluator")
    return comprehensive, cheap, strong, unseated


def test_only_declared_panel_members_qualify_disqualify_and_score(world, evaluating):
    # given an opened tender, office staff without a declared seat: the officer, the head, an evaluator not on the
    # panel, and the panel member who has not declared yet
    tender, cheap, strong, unseated = evaluating
    criterion = tender.criteria.order_by("order").first()
    for outsider in (world.procurement_x, world.head_x, unseated, world.evaluator_x):
        # when each tries to judge a bid, then each is refused, with the reason
        for qualified, reason in ((True, ""), (False, "资质不符")):
            with pytest.raises(PermissionDenied) as exc:
                services.bid_qualify(actor=outsider, bid_id=cheap.pk, qualified=qualified, reason=reason)
            assert exc.value.code == "panel_only"
    # people outside the office do not even learn that the tender exists
    for stranger in (world.procurement_y, world.member_b, world.operator):
        with pytest.raises(NotFound):
            services.bid_qualify(actor=stranger, bid_id=cheap.pk, qualified=False, reason="x")
    cheap.refresh_from_db()
    tender.refresh_from_db()
    assert cheap.status == Bid.Status.OPENED and tender.status == Tender.Status.EVALUATING
    # once declared, the panel member judges; the others still cannot score the qualified bid
    services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)
    services.bid_qualify(actor=world.evaluator_x, bid_id=cheap.pk, qualified=True)
    for outsider in (world.procurement_x, world.head_x, unseated):
        with pytest.raises(PermissionDenied):
            services.score_record(actor=outsider, bid_id=cheap.pk, criterion_id=criterion.pk, points=10)
    with pytest.raises(NotFound):
        services.score_record(actor=world.procurement_y, bid_id=cheap.pk, criterion_id=criterion.pk, points=10)
    assert not Score.objects.exists()
    services.score_record(actor=world.evaluator_x, bid_id=cheap.pk, criterion_id=criterion.pk, points=10)
    assert Score.objects.get().evaluator == world.evaluator_x
    verbs = set(AuditEvent.objects.filter(verb__startswith="bid.").values_list("verb", "actor"))
    assert ("bid.qualify", world.evaluator_x.pk) in verbs and ("bid.score", world.evaluator_x.pk) in verbs


def test_the_working_page_offers_judging_to_the_declared_panel_only_and_refuses_the_others(world, evaluating,
                                                                                           client):
    tender, cheap, strong, unseated = evaluating
    url = f"/dashboard/tenders/{tender.pk}/"
    # The officer and the head see the opened bids but no qualification forms; their posts are refused (403).
    for person in (world.procurement_x, world.head_x, unseated):
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200
        assert f"/dashboard/tenders/{tender.pk}/disqualify/" not in page.content.decode()
        for action, data in (("qualify", {"bid": cheap.pk}), ("disqualify", {"bid": cheap.pk, "reason": "x"})):
            response = client.post(f"{url}{action}/", data)
            assert response.status_code == 403, (person, action)
            assert "利益冲突" in response.content.decode()  # the message says who may judge, in Chinese
    # Two disqualifications by people without a seat would have ended the tender as unsuccessful: they did not.
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATING
    assert set(Bid.objects.filter(tender=tender).values_list("status", flat=True)) == {Bid.Status.OPENED}
    # The declared panel member is offered the forms, and disqualifies through them.
    services.panel_declare(actor=world.evaluator_x, tender_id=tender.pk)
    client.force_login(world.evaluator_x)
    assert f"/dashboard/tenders/{tender.pk}/disqualify/" in client.get(url).content.decode()
    response = client.post(f"{url}disqualify/", {"bid": strong.pk, "reason": "报价单未盖章"})
    assert response.status_code == 302
    strong.refresh_from_db()
    assert strong.status == Bid.Status.DISQUALIFIED
    # Scoring through the page follows the same rule.
    criterion = tender.criteria.order_by("order").first()
    services.bid_qualify(actor=world.evaluator_x, bid_id=cheap.pk, qualified=True)
    client.force_login(world.head_x)
    response = client.post(f"{url}score/", {"bid": cheap.pk, "criterion": criterion.pk, "points": "10"})
    assert response.status_code == 403 and not Score.objects.exists()
