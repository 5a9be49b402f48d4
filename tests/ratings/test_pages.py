"""The public reputation pages: provider profile, office scorecard and the office ranking, in both languages,
with pinned query counts (counted with 12 reviewed contracts, replies and resident ratings)."""

import re

import pytest
from allauth.account.models import EmailAddress

from marketplace.models import StreetOffice
from ratings import services
from ratings.models import Direction, Review

from ..factories import StreetOfficeFactory, UserFactory
from .conftest import office_scores, provider_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(world, make):
    """Org A: 8 reviewed contracts (scores 5,5,4,4,3,5,4,2 overall) with office X; org B: 4 with office Y."""
    residents = []
    for n in range(3):
        user = UserFactory(email=f"resident{n}@example.cn")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        residents.append(user)
    for i, value in enumerate([5, 5, 4, 4, 3, 5, 4, 2]):
        contract = make.completed()
        services.review_submit(actor=world.procurement_x, contract_id=contract.pk, scores=office_scores(value),
                               comment=f"第{i}次服务评价")
        services.review_submit(actor=world.member_a, contract_id=contract.pk, scores=provider_scores(4),
                               comment=f"街道评价{i}")
        services.resident_rating_submit(actor=residents[i % 3], contract_id=contract.pk, score=value,
                                        comment=f"居民意见{i}")
    for value in (3, 4, 2, 3):
        contract = make.completed(office=world.office_y, provider=world.org_b)
        services.review_submit(actor=world.procurement_y, contract_id=contract.pk, scores=office_scores(value))
        services.review_submit(actor=world.member_b, contract_id=contract.pk, scores=provider_scores(value))
    for review in Review.objects.filter(direction=Direction.OFFICE_TO_PROVIDER)[:3]:
        services.review_reply(actor=make.member(review.window.contract.provider), review_id=review.pk,
                              text=f"感谢评价{review.pk}")
    StreetOfficeFactory.create_batch(5)
    return world


@pytest.fixture
def warm(client, site):
    client.get("/healthz")
    client.get("/offices/987654/")


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_provider_profile(client, reviewed, warm, django_assert_max_num_queries, prefix):
    w = reviewed
    # organisation + categories, the side's breakdowns (criterion means), the distribution, 20 reviews,
    # residents' summary and list, the contract history, the Wagtail site and its footer settings.
    with django_assert_max_num_queries(10):
        response = client.get(f"{prefix}/providers/{w.org_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    w.org_a.refresh_from_db()
    assert w.org_a.rating_count == 8
    assert f"{w.org_a.rating_score:.2f}" in html
    if prefix:
        assert "from 8 reviews" in html and "Service quality" in html and "Residents' ratings" in html
    else:
        assert re.search(r"8\s*条评价", html) and "服务质量" in html
    # The distribution: an inline SVG with one bar per score, drawn on the server; nothing fetched elsewhere.
    svg = re.search(r"<svg class=\"rating-chart\".*?</svg>", html, re.S).group(0)
    assert svg.count("<rect") == 5 and "5★ 3" in svg and "4★ 3" in svg and "2★ 1" in svg and "1★ 0" in svg
    assert "<script" not in svg and not re.search(r"(src|href)=\"https?://", html)
    assert "第7次服务评价" in html and "感谢评价" in html and "居民意见0" in html
    assert html.count('class="reply"') == 3


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_office_scorecard(client, reviewed, warm, django_assert_max_num_queries, prefix):
    w = reviewed
    with django_assert_max_num_queries(9):
        response = client.get(f"{prefix}/offices/{w.office_x.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    office = StreetOffice.objects.get(pk=w.office_x.pk)
    assert office.rating_count == 8 and f"{office.rating_score:.2f}" in html
    assert "街道评价7" in html and "居民意见1" in html
    assert ("Fair acceptance" in html and "Contract history" in html) if prefix else "验收公正" in html
    assert "<svg" in html


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_office_ranking(client, reviewed, warm, django_assert_max_num_queries, prefix):
    w = reviewed
    with django_assert_max_num_queries(3):  # the offices with their filed counts, the site, its settings
        response = client.get(f"{prefix}/offices/")
    assert response.status_code == 200
    offices = list(response.context["offices"])
    x = StreetOffice.objects.get(pk=w.office_x.pk)
    y = StreetOffice.objects.get(pk=w.office_y.pk)
    assert x.rating_score > y.rating_score
    assert offices[0] == x and offices[1] == y
    assert all(o.rating_score is None for o in offices[2:])
    html = response.content.decode()
    assert f"{x.rating_score:.2f} <span class=\"muted\">(8)</span>" in html
    assert f"{y.rating_score:.2f} <span class=\"muted\">(4)</span>" in html


def test_the_directory_sorts_and_filters_by_the_bayesian_score(client, reviewed):
    w = reviewed
    w.org_a.refresh_from_db()
    w.org_b.refresh_from_db()
    assert w.org_a.rating_score > w.org_b.rating_score
    names = [o.name for o in client.get("/providers/?sort=rating").context["page_obj"]]
    assert names.index(w.org_b.name) < names.index(w.org_a.name)
    threshold = (w.org_a.rating_score + w.org_b.rating_score) / 2
    names = [o.name for o in client.get(f"/providers/?min_rating={threshold:.2f}").context["page_obj"]]
    assert names == [w.org_a.name]
