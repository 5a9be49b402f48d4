"""Bayesian aggregation: hand-checked numbers, incremental equals the nightly full recompute, low-score flags."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from marketplace.models import Organisation, StreetOffice
from ratings import aggregation, services
from ratings.models import LowScoreFlag
from ratings.tasks import reputation_recompute_all, review_windows_close_due

from ..factories import StreetOfficeFactory
from .conftest import office_scores, provider_scores

pytestmark = pytest.mark.django_db

FIELDS = ("rating_score", "rating_count", "rating_total", "rating_breakdown", "indicators", "contracts_completed",
          "contracts_terminated")


def review_both(world, make, contract, office_side: dict, provider_side: dict | None = None):
    services.review_submit(actor=make.officer(contract.office), contract_id=contract.pk, scores=office_side)
    if provider_side is not None:
        services.review_submit(actor=make.member(contract.provider), contract_id=contract.pk, scores=provider_side)


def snapshot():
    rows = {}
    for model in (Organisation, StreetOffice):
        for obj in model.objects.order_by("pk"):
            rows[(model.__name__, obj.pk)] = {f: getattr(obj, f) for f in FIELDS if hasattr(obj, f)}
    return rows


def test_bayesian_scores_pull_few_reviews_toward_the_sides_mean(world, make):
    # org A: one review, all 5; org B: one review, all 3. The providers' global mean is 4; C = 5.
    review_both(world, make, make.completed(provider=world.org_a), office_scores(5), provider_scores(4))
    review_both(world, make, make.completed(provider=world.org_b), office_scores(3), provider_scores(2))
    world.org_a.refresh_from_db()
    world.org_b.refresh_from_db()
    assert world.org_a.rating_score == Decimal("4.167")  # (5·4 + 5) / 6
    assert world.org_b.rating_score == Decimal("3.833")  # (5·4 + 3) / 6
    assert world.org_a.rating_count == world.org_b.rating_count == 1
    assert world.org_a.rating_breakdown == office_scores(5) and world.org_a.rating_total == 25
    # Office X had both provider reviews: mean 3 = the side's mean, so its score is 3.
    world.office_x.refresh_from_db()
    assert world.office_x.rating_score == Decimal("3.000") and world.office_x.rating_count == 2
    # Per criterion, at read time: org A's quality (5) against the quality mean of 4.
    criteria = {code: value for code, _label, value in aggregation.criterion_scores(world.org_a)}
    assert criteria["quality"] == Decimal("4.167")


def test_publishing_rescores_the_whole_side_as_the_global_mean_moves(world, make):
    review_both(world, make, make.completed(provider=world.org_a), office_scores(5), provider_scores(4))
    world.org_a.refresh_from_db()
    assert world.org_a.rating_score == Decimal("5.000")  # the only review: it is the mean
    review_both(world, make, make.completed(provider=world.org_b), office_scores(1), provider_scores(4))
    world.org_a.refresh_from_db()
    assert world.org_a.rating_score == Decimal("3.333")  # mean now (5 + 1) / 2 = 3: (5·3 + 5) / 6


@override_settings(RATING_FLAG_MIN_REVIEWS=99)
def test_incremental_and_nightly_full_recompute_give_identical_numbers(world, make):
    office_z = StreetOfficeFactory()
    make.office_officer(office_z)
    org_c = make.organisation("钱塘助老服务社")
    plan = [
        (world.office_x, world.org_a, office_scores(5, 4, 4, 5, 5), provider_scores(4, 3, 5, 4, 4)),
        (world.office_x, world.org_b, office_scores(2, 3, 3, 2, 1), provider_scores(5)),
        (world.office_y, world.org_a, office_scores(4), None),  # only the office reviews; window closes later
        (office_z, org_c, office_scores(3, 5, 4, 2, 4), provider_scores(1, 2, 2, 3, 1)),
        (world.office_y, org_c, office_scores(5), provider_scores(3, 4, 3, 4, 5)),
        (office_z, world.org_a, office_scores(1, 2, 1, 2, 1), provider_scores(2)),
    ]
    for office, org, office_side, provider_side in plan:
        contract = make.completed(office=office, provider=org)
        review_both(world, make, contract, office_side, provider_side)
    make.terminated(office=world.office_x, provider=org_c)
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        assert review_windows_close_due.apply().get() >= 1  # publishes office Y's lone review of org A
    incremental = snapshot()
    counts = {key: row["rating_count"] for key, row in incremental.items()}
    assert counts[("Organisation", world.org_a.pk)] == 3 and counts[("Organisation", org_c.pk)] == 2
    assert counts[("StreetOffice", office_z.pk)] == 2
    assert incremental[("Organisation", org_c.pk)]["contracts_terminated"] == 1
    reputation_recompute_all.apply().get()
    assert snapshot() == incremental
    # The full recompute really recomputes: a corrupted row is put right.
    Organisation.objects.filter(pk=world.org_a.pk).update(rating_total=1, rating_score=Decimal("1.000"),
                                                           rating_breakdown={"quality": 99})
    StreetOffice.objects.filter(pk=world.office_y.pk).update(rating_count=7)
    reputation_recompute_all.apply().get()
    assert snapshot() == incremental


@override_settings(RATING_FLAG_THRESHOLD=Decimal("2.5"), RATING_FLAG_MIN_REVIEWS=3)
def test_a_low_score_over_enough_reviews_is_flagged_once_and_never_suspends(world, make, client):
    for _ in range(2):
        review_both(world, make, make.completed(provider=world.org_b), office_scores(1), provider_scores(3))
    assert not LowScoreFlag.objects.exists()  # two reviews: not enough
    review_both(world, make, make.completed(provider=world.org_b), office_scores(1), provider_scores(3))
    flag = LowScoreFlag.objects.get()
    assert flag.organisation == world.org_b and flag.count == 3 and flag.score < Decimal("2.5")
    world.org_b.refresh_from_db()
    assert world.org_b.status == Organisation.Status.VERIFIED
    reputation_recompute_all.apply().get()
    assert LowScoreFlag.objects.count() == 1
    # Operators see it in their queue and close it; the same count does not flag again.
    client.force_login(world.operator)
    page = client.get("/dashboard/operator/ratings/").content.decode()
    assert world.org_b.name in page
    response = client.post(f"/dashboard/operator/ratings/flags/{flag.pk}/close/", {"note": ""})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == LowScoreFlag.Status.OPEN  # a note is required
    client.post(f"/dashboard/operator/ratings/flags/{flag.pk}/close/", {"note": "已约谈该机构负责人。"})
    flag.refresh_from_db()
    assert flag.status == LowScoreFlag.Status.CLOSED
    reputation_recompute_all.apply().get()
    assert LowScoreFlag.objects.count() == 1
    # A further low review raises a new flag.
    review_both(world, make, make.completed(provider=world.org_b), office_scores(1), provider_scores(3))
    assert LowScoreFlag.objects.filter(status=LowScoreFlag.Status.OPEN).get().count == 4
