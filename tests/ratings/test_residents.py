"""Residents' ratings (居民评议), reports and the operators' hiding of abusive text."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from marketplace.errors import Conflict, PermissionDenied
from ratings import services
from ratings.models import Report, ResidentRating, Review

from ..factories import UserFactory
from .conftest import office_scores, provider_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(world):
    user = UserFactory(email="resident@example.cn")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_a_resident_with_a_confirmed_email_rates_a_completed_service_once(world, make, resident, client):
    contract = make.completed()
    url = reverse("ratings:resident_rate", args=[contract.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(resident)
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "", "comment": "社工很耐心。"})
    assert response.status_code == 400
    assert "社工很耐心。" in response.content.decode()
    response = client.post(url, {"score": "4", "comment": "社工很耐心。"})
    assert response.status_code == 302
    rating = ResidentRating.objects.get()
    assert (rating.author, rating.score, rating.comment) == (resident, 4, "社工很耐心。")
    response = client.post(url, {"score": "5", "comment": "再评一次"})
    assert response.status_code == 409
    assert ResidentRating.objects.count() == 1
    # Shown apart, never in the parties' aggregate.
    world.org_a.refresh_from_db()
    assert world.org_a.rating_count == 0 and world.org_a.rating_score is None
    page = client.get(f"/en/providers/{world.org_a.pk}/").content.decode()
    assert "社工很耐心。" in page and "from 1 resident" in page and "Not yet rated" in page


def test_who_may_not_rate_as_a_resident(world, make, client):
    contract = make.completed()
    unconfirmed = UserFactory(email="unconfirmed@example.cn")
    EmailAddress.objects.create(user=unconfirmed, email=unconfirmed.email, verified=False, primary=True)
    with pytest.raises(PermissionDenied):
        services.resident_rating_submit(actor=unconfirmed, contract_id=contract.pk, score=5)
    client.force_login(unconfirmed)
    response = client.post(f"/en/contracts/{contract.pk}/resident-rating/", {"score": "5"})
    assert response.status_code == 403 and "Confirm your email address" in response.content.decode()
    # The contract's parties review each other instead.
    for party in (world.member_a, world.procurement_x, world.evaluator_x):
        with pytest.raises(PermissionDenied):
            services.resident_rating_submit(actor=party, contract_id=contract.pk, score=5)
    # Only a completed service: an active contract is refused.
    active = make.active(provider=world.org_b)
    with pytest.raises(Conflict):
        services.resident_rating_submit(actor=world.member_a, contract_id=active.pk, score=5)
    assert not ResidentRating.objects.exists()


def test_reports_reach_the_operators_who_hide_the_text_but_not_the_score(world, make, resident, client):
    contract = make.completed()
    services.review_submit(actor=world.procurement_x, contract_id=contract.pk, scores=office_scores(2),
                           comment="该机构负责人是骗子！")
    services.review_submit(actor=world.member_a, contract_id=contract.pk, scores=provider_scores(4))
    review = Review.objects.get(window__contract=contract, direction="office_to_provider")
    rating = services.resident_rating_submit(actor=resident, contract_id=contract.pk, score=1, comment="垃圾服务")
    # The reviewed party reports the review; a resident reports the resident rating. Anonymous users cannot.
    assert client.post(reverse("ratings:review_report", args=[review.pk]), {"reason": "x"}).status_code == 302
    assert not Report.objects.exists()
    client.force_login(world.member_a)
    response = client.post(f"/en/reviews/{review.pk}/report/", {"reason": ""}, follow=True)
    assert not Report.objects.exists()  # a reason is required
    assert "Write the reason." in response.content.decode()
    client.post(reverse("ratings:review_report", args=[review.pk]), {"reason": "人身攻击。"})
    client.post(reverse("ratings:review_report", args=[review.pk]), {"reason": "again"})
    assert Report.objects.filter(review=review).count() == 1  # once per person
    client.force_login(resident)
    client.post(reverse("ratings:resident_report", args=[rating.pk]), {"reason": "用语不文明。"})
    assert Report.objects.filter(resident_rating=rating).count() == 1
    # Non-operators cannot see the queue or hide anything.
    assert client.get(reverse("ratings:operator_queue")).status_code == 403
    assert client.post(reverse("ratings:operator_review_hide", args=[review.pk]),
                       {"note": "x"}).status_code == 403
    # The operator hides both texts with a public note; the scores stay.
    client.force_login(world.operator)
    queue = client.get(reverse("ratings:operator_queue")).content.decode()
    assert "人身攻击。" in queue and "用语不文明。" in queue
    client.post(reverse("ratings:operator_review_hide", args=[review.pk]), {"note": ""})
    review.refresh_from_db()
    assert review.hidden_at is None  # the public note is required
    client.post(reverse("ratings:operator_review_hide", args=[review.pk]), {"note": "含人身攻击，已隐藏。"})
    client.post(reverse("ratings:operator_resident_hide", args=[rating.pk]), {"note": "用语不当，已隐藏。"})
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.HIDDEN}
    review.refresh_from_db()
    rating.refresh_from_db()
    assert review.scores == office_scores(2) and rating.score == 1
    world.org_a.refresh_from_db()
    assert world.org_a.rating_count == 1
    client.logout()
    page = client.get(f"/providers/{world.org_a.pk}/").content.decode()
    assert "骗子" not in page and "垃圾服务" not in page
    assert "含人身攻击，已隐藏。" in page and "用语不当，已隐藏。" in page


def test_an_operator_dismisses_a_report(world, make, resident, client):
    contract = make.completed()
    rating = services.resident_rating_submit(actor=resident, contract_id=contract.pk, score=3, comment="一般。")
    report = services.report_create(actor=world.member_a, resident_rating_id=rating.pk, reason="不实。")
    client.force_login(world.operator)
    assert client.post(reverse("ratings:operator_report_dismiss", args=[report.pk])).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    rating.refresh_from_db()
    assert rating.hidden_at is None
    response = client.post(reverse("ratings:operator_report_dismiss", args=[report.pk]), follow=True)
    assert response.status_code == 200  # already dismissed: a message, not a change
    assert "一般。" not in client.get(reverse("ratings:operator_queue")).content.decode()
