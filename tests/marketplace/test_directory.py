"""The public directory through HTTP: every filter and sort, pagination, bad input, profiles, and pinned query counts."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from bids.models import Bid, Tender
from marketplace import services
from marketplace.models import Grade, Organisation, ServiceCategory, StreetOffice

from ..factories import (
    DistrictFactory,
    MembershipFactory,
    OrganisationFactory,
    ServiceCategoryFactory,
    StreetOfficeFactory,
)


@dataclass
class Directory:
    world: object
    office_z: StreetOffice
    children: ServiceCategory
    disability: ServiceCategory
    filed_x: Organisation  # filed with office X, elderly care, no grade, unrated
    filed_z: Organisation  # filed with office Z (another district), 3A, 4.50, 3 contracts, two categories
    star: Organisation  # registered, 5A, 3.90, 10 contracts, children
    helping: Organisation  # registered, 2A, 4.80, no contracts, disability
    pending: Organisation
    rejected: Organisation
    suspended: Organisation


def rate(org, score, count, completed=0):
    services.reputation_set(subject=org, score=Decimal(score) if score is not None else None, count=count,
                            breakdown={}, contracts_completed=completed)


def grade(world, org, value):
    services.organisation_set_grade(actor=world.operator, organisation=org, grade=value, graded_on=dt.date(2026, 1, 5))


@pytest.fixture
def directory(world) -> Directory:
    w = world
    office_z = StreetOfficeFactory(district=DistrictFactory(name="西湖区", name_en="Xihu District"),
                                   name="翠苑街道办事处", name_en="Cuiyuan Sub-district Office")
    children = ServiceCategoryFactory(code="children", name="儿童青少年服务", name_en="Children and youth")
    disability = ServiceCategoryFactory(code="disability", name="助残服务", name_en="Disability support")
    filed_x = OrganisationFactory(name="长河街道夕阳红志愿服务队", name_en="Changhe Sunset Volunteers", filed=True,
                                  home_office=w.office_x, categories=[w.category])
    filed_z = OrganisationFactory(name="西湖社工服务站", name_en="Xihu Social Work Station", filed=True,
                                  home_office=office_z, filing_number="BA-003-2026-00042",
                                  categories=[children, w.category])
    star = OrganisationFactory(name="星光儿童社工事务所", name_en="Starlight Children's Social Work",
                               categories=[children])
    helping = OrganisationFactory(name="阳光助残服务中心", name_en="Sunshine Disability Centre", categories=[disability])
    grade(w, filed_z, Grade.A3)
    grade(w, star, Grade.A5)
    grade(w, helping, Grade.A2)
    grade(w, w.org_b, Grade.A1)
    rate(filed_z, "4.500", 6, completed=3)
    rate(star, "3.900", 12, completed=10)
    rate(helping, "4.800", 2)
    rate(w.org_a, "4.100", 3, completed=1)
    pending = OrganisationFactory(name="待审核社工中心", status=Organisation.Status.PENDING, categories=[children])
    rejected = OrganisationFactory(name="被驳回社工中心", status=Organisation.Status.REJECTED)
    suspended = OrganisationFactory(name="暂停社工中心", categories=[children])
    services.organisation_suspend(actor=w.operator, organisation=suspended, reason="账目不清")
    return Directory(world=w, office_z=office_z, children=children, disability=disability, filed_x=filed_x,
                     filed_z=filed_z, star=star, helping=helping, pending=pending, rejected=rejected,
                     suspended=suspended)


def named(d: Directory, *keys) -> set[str]:
    return {(getattr(d, key, None) or getattr(d.world, key)).name for key in keys}


def listed(client, query="", prefix=""):
    response = client.get(f"{prefix}/providers/{'?' if query else ''}{query}")
    assert response.status_code == 200
    return [org.name for org in response.context["page_obj"]], response


# --- The list and its default order -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_lists_only_verified_organisations_best_rated_first_unrated_last(client, directory, prefix):
    names, response = listed(client, prefix=prefix)
    d = directory
    # 4.80, 4.50, 4.10, 3.90, then the unrated by name
    assert names[:4] == [d.helping.name, d.filed_z.name, d.world.org_a.name, d.star.name]
    assert set(names[4:]) == {d.filed_x.name, d.world.org_b.name}
    assert d.pending.name not in names and d.rejected.name not in names and d.suspended.name not in names
    html = response.content.decode()
    if prefix:
        assert 'lang="en"' in html and "Sunshine Disability Centre" in html and "Not yet rated" in html
        assert '<option value="-rating">Rating, highest first</option>' in html
        assert "Children and youth" in html  # the category filter's options speak English
    else:
        assert 'lang="zh-Hans"' in html and "阳光助残服务中心" in html and "儿童青少年服务" in html
        assert '<option value="-rating">评分从高到低</option>' in html and "暂无评分" in html


# --- Each filter ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_category_filter_lists_each_organisation_once(client, directory, prefix):
    d = directory
    names, response = listed(client, "category=elderly-care", prefix)
    # filed_z serves two categories: the M2M must not duplicate it, and the count agrees with the rows
    assert sorted(names) == sorted([d.filed_z.name, d.world.org_a.name, d.world.org_b.name, d.filed_x.name])
    assert response.context["page_obj"].paginator.count == 4
    names, _ = listed(client, "category=children", prefix)
    assert sorted(names) == sorted([d.filed_z.name, d.star.name])


@pytest.mark.django_db
def test_office_and_district_filters(client, directory):
    d = directory
    names, _ = listed(client, f"office={d.world.office_x.pk}")
    assert names == [d.filed_x.name]
    names, response = listed(client, f"district={d.office_z.district_id}")
    assert names == [d.filed_z.name]
    assert f'<option value="{d.office_z.district_id}" selected>西湖区</option>' in response.content.decode()
    names, _ = listed(client, f"district={d.world.office_x.district_id}")
    assert names == [d.filed_x.name]


@pytest.mark.django_db
@pytest.mark.parametrize(("track", "expected"), [("filed", {"filed_x", "filed_z"}),
                                                 ("registered", {"star", "helping", "org_a", "org_b"})])
def test_track_filter(client, directory, track, expected):
    names, _ = listed(client, f"track={track}")
    assert set(names) == named(directory, *expected)


@pytest.mark.django_db
@pytest.mark.parametrize(("minimum", "expected"), [
    ("1", {"org_b", "helping", "filed_z", "star"}),
    ("2", {"helping", "filed_z", "star"}),
    ("3", {"filed_z", "star"}),
    ("5", {"star"}),
])
def test_minimum_grade_compares_ranks(client, directory, minimum, expected):
    # Grades are the digits "0".."5"; the filter's string comparison must order them as ranks.
    d = directory
    names, _ = listed(client, f"grade={minimum}")
    assert set(names) == named(d, *expected)
    assert d.filed_x.name not in names  # no grade never passes a minimum


@pytest.mark.django_db
def test_minimum_rating_leaves_out_lower_and_unrated(client, directory):
    d = directory
    names, _ = listed(client, "min_rating=4.5")
    assert names == [d.helping.name, d.filed_z.name]
    names, _ = listed(client, "min_rating=0")
    assert set(names) == {d.helping.name, d.filed_z.name, d.world.org_a.name, d.star.name}


@pytest.mark.django_db
def test_has_completed_contracts(client, directory):
    d = directory
    names, _ = listed(client, "has_completed=true")
    assert set(names) == {d.filed_z.name, d.star.name, d.world.org_a.name}
    names, _ = listed(client, "has_completed=false")
    assert set(names) == {d.helping.name, d.filed_x.name, d.world.org_b.name}
    names, _ = listed(client, "has_completed=unknown")
    assert len(names) == 6


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_name_search_matches_a_chinese_substring_in_the_middle(client, directory, prefix):
    d = directory
    names, _ = listed(client, "q=社工", prefix)  # 西湖[社工]服务站, 星光儿童[社工]事务所; never at the start
    assert set(names) == {d.filed_z.name, d.star.name}
    names, _ = listed(client, "q=儿童社", prefix)
    assert names == [d.star.name]
    names, _ = listed(client, "q=%E5%A4%95%E9%98%B3%E7%BA%A2", prefix)  # 夕阳红, URL-encoded
    assert names == [d.filed_x.name]
    names, _ = listed(client, "q=social+work", prefix)  # the English name, case-insensitive
    assert set(names) == {d.filed_z.name, d.star.name}
    names, response = listed(client, "q=100%25", prefix)  # LIKE wildcards are literal
    assert names == [] and response.context["page_obj"].paginator.count == 0


@pytest.mark.django_db
def test_filters_combine(client, directory):
    d = directory
    names, _ = listed(client, "category=elderly-care&track=filed&grade=3&min_rating=4&has_completed=true")
    assert names == [d.filed_z.name]


# --- Sorting ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_sort_by_rating_puts_unrated_last_both_ways(client, directory, prefix):
    d = directory
    names, _ = listed(client, "sort=rating", prefix)
    assert names[:4] == [d.star.name, d.world.org_a.name, d.filed_z.name, d.helping.name]
    assert set(names[4:]) == {d.filed_x.name, d.world.org_b.name}
    names, _ = listed(client, "sort=-rating", prefix)
    assert names[:4] == [d.helping.name, d.filed_z.name, d.world.org_a.name, d.star.name]
    assert set(names[4:]) == {d.filed_x.name, d.world.org_b.name}


@pytest.mark.django_db
def test_sort_by_completed_contracts_both_ways(client, directory):
    d = directory
    names, _ = listed(client, "sort=-completed")
    assert names[:3] == [d.star.name, d.filed_z.name, d.world.org_a.name]
    names, _ = listed(client, "sort=completed")
    assert names[-3:] == [d.world.org_a.name, d.filed_z.name, d.star.name]


@pytest.mark.django_db
def test_sort_by_name_both_ways(client, directory):
    # The database's collation decides the order of Chinese names; the page must follow it both ways.
    by_name = list(Organisation.objects.filter(status="verified").order_by("name").values_list("name", flat=True))
    names, _ = listed(client, "sort=name")
    assert names == by_name
    names, response = listed(client, "sort=-name")
    assert names == by_name[::-1]
    assert '<option value="-name" selected>' in response.content.decode()


# --- Bad input ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_bad_filters_are_named_on_the_page_and_the_others_still_apply(client, directory, prefix):
    d = directory
    names, response = listed(client, "min_rating=abc&category=no-such-category&track=filed&q=服务", prefix)
    html = response.content.decode()
    assert set(names) == {d.filed_x.name, d.filed_z.name}  # track and q still apply
    assert 'role="alert"' in html
    assert set(response.context["filter"].form.errors) == {"min_rating", "category"}
    assert 'value="abc"' in html and 'value="服务"' in html  # what was typed is kept
    assert '<option value="filed" selected>' in html
    if prefix:
        assert "Enter a number." in html and "Select a valid choice" in html
    else:
        assert "输入一个数字" in html and "选择一个有效的选项" in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    "min_rating=9", "min_rating=-1", "min_rating=NaN", "min_rating=1e999", "grade=9", "grade=0", "office=abc",
    "office=999999", "district=x", "sort=password", "sort=-rating,,name", "has_completed=maybe", "page=abc",
    "page=999", "q=%00", "track=both",
])
def test_malformed_parameters_never_give_a_server_error(client, directory, query):
    response = client.get(f"/providers/?{query}")
    assert response.status_code == 200


# --- Pagination -------------------------------------------------------------------------------------


@pytest.fixture
def crowd(directory):
    """30 more verified organisations: filed ones spread over the three offices, most with two categories,
    some rated and graded, so that a per-row query would show in the counts."""
    d, w = directory, directory.world
    offices = [w.office_x, w.office_y, d.office_z]
    categories = [w.category, d.children, d.disability]
    for i in range(30):
        fields = {"filed": True, "home_office": offices[i % 3]} if i % 2 else {}
        org = OrganisationFactory(name=f"社区互助服务社{i:02d}", name_en=f"Community Mutual Aid {i:02d}",
                                  categories=[categories[i % 3], categories[(i + 1) % 3]] if i % 4 else [],
                                  grade=str(i % 6), **fields)
        if i % 3:
            rate(org, f"{3 + (i % 20) / 10:.3f}", i, completed=i % 5)
    return d


@pytest.mark.django_db
def test_pagination_keeps_the_filters_in_its_links(client, crowd):
    names, response = listed(client, "q=互助&sort=name")
    html = response.content.decode()
    assert names == [f"社区互助服务社{i:02d}" for i in range(20)]
    assert 'href="?q=%E4%BA%92%E5%8A%A9&amp;sort=name&amp;page=2"' in html
    names, response = listed(client, "q=%E4%BA%92%E5%8A%A9&sort=name&page=2")
    assert names == [f"社区互助服务社{i:02d}" for i in range(20, 30)]
    assert 'href="?q=%E4%BA%92%E5%8A%A9&amp;sort=name&amp;page=1"' in response.content.decode()
    names, _ = listed(client, "q=互助&sort=name&page=99")  # past the end: the last page
    assert names[0] == "社区互助服务社20"


@pytest.mark.django_db
def test_the_sort_order_is_stable_across_pages(client, crowd):
    first, _ = listed(client, "sort=-completed")
    second, _ = listed(client, "sort=-completed&page=2")
    together = first + second
    assert len(together) == len(set(together)) == 36


# --- Profiles and offices -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_provider_profile_in_both_languages(client, directory, prefix):
    d = directory
    html = client.get(f"{prefix}/providers/{d.filed_z.pk}/").content.decode()
    assert d.filed_z.filing_number in html and "4.50" in html
    if prefix:
        assert "Xihu Social Work Station" in html and "Cuiyuan Sub-district Office" in html and "3A" in html
        assert "Children and youth" in html
    else:
        assert "西湖社工服务站" in html and "翠苑街道办事处" in html and "儿童青少年服务" in html


@pytest.mark.django_db
def test_a_suspended_organisation_shows_its_public_reason(client, directory):
    html = client.get(f"/providers/{directory.suspended.pk}/").content.decode()
    assert "账目不清" in html


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("who", ["pending", "rejected", "missing"])
def test_unpublished_or_forged_provider_ids_are_not_found(client, directory, prefix, who):
    pk = getattr(directory, who).pk if who != "missing" else 987654
    response = client.get(f"{prefix}/providers/{pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "待审核社工中心" not in html and "被驳回社工中心" not in html


@pytest.mark.django_db
def test_a_member_of_a_pending_organisation_still_gets_404_on_the_public_profile(client, directory):
    member = MembershipFactory(organisation=directory.pending, user=directory.world.member_b).user
    client.force_login(member)
    assert client.get(f"/providers/{directory.pending.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_office_list_and_office_page_in_both_languages(client, directory, prefix):
    d = directory
    rate(d.world.office_x, "4.250", 4)
    response = client.get(f"{prefix}/offices/")
    html = response.content.decode()
    assert response.status_code == 200
    offices = {o.pk: o for o in response.context["offices"]}
    assert offices[d.world.office_x.pk].n_filed == 1 and offices[d.office_z.pk].n_filed == 1
    assert offices[d.world.office_y.pk].n_filed == 0
    assert "4.25" in html
    page = client.get(f"{prefix}/offices/{d.office_z.pk}/")
    assert page.status_code == 200
    page_html = page.content.decode()
    assert f"/providers/?office={d.office_z.pk}" in page_html
    if prefix:
        assert "Cuiyuan Sub-district Office" in html and "Xihu District" in page_html
    else:
        assert "翠苑街道办事处" in html and "西湖区" in page_html
    assert client.get(f"{prefix}/offices/987654/").status_code == 404


@pytest.mark.django_db
def test_the_office_page_links_to_its_filed_organisations(client, directory):
    d = directory
    names, _ = listed(client, f"office={d.office_z.pk}")
    assert names == [d.filed_z.name]


# --- Pinned query counts --------------------------------------------------------------------------------
# Counted with 36 organisations (most with two categories), 3 offices, and 30 tenders / 30 award notices.
# The pins are today's counts: any N+1 over 20 rows adds far more. One request first, because the first
# request of a site creates its footer settings row (cms.SiteSettings), which is not the page's cost.


@pytest.fixture
def warm(client, site):
    client.get("/healthz")
    client.get("/offices/987654/")


@pytest.mark.django_db
@pytest.mark.django_db
@pytest.mark.parametrize(("query", "pin"), [
    ("", 7),  # count, the page of rows, the three option lists, the Wagtail site and its footer settings
    ("sort=-rating", 7),
    ("sort=name&page=2", 7),
    ("category=elderly-care&sort=-completed", 8),  # + the chosen category, looked up by its code
    ("office={office}&district={district}&track=filed&grade=2&min_rating=3&has_completed=true&q=%E4%BA%92", 9),
    ("min_rating=abc&category=nope", 8),
])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_provider_list_query_count(client, crowd, warm, django_assert_max_num_queries, query, pin, prefix):
    query = query.format(office=crowd.office_z.pk, district=crowd.office_z.district_id)
    with django_assert_max_num_queries(pin):
        response = client.get(f"{prefix}/providers/?{query}")
    assert response.status_code == 200
    assert len(response.context["page_obj"]) > 0 or "abc" in query


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_office_list_query_count(client, crowd, warm, django_assert_max_num_queries, prefix):
    StreetOfficeFactory.create_batch(27)
    with django_assert_max_num_queries(3):
        response = client.get(f"{prefix}/offices/")
    assert len(response.context["offices"]) == 30


@pytest.mark.django_db
def test_provider_profile_query_count(client, crowd, warm, django_assert_max_num_queries):
    # The organisation, its categories, the site and its settings; the ratings panels (the side's breakdowns
    # for the criterion means, the score distribution, the reviews, the residents' summary) and the contract
    # history. tests/ratings/test_pages.py pins the profile with reviews, replies and residents' ratings.
    with django_assert_max_num_queries(9):
        assert client.get(f"/providers/{crowd.filed_z.pk}/").status_code == 200


@pytest.fixture
def tenders(crowd):
    """30 public tenders over three offices and categories, and 30 award notices with their winning bids."""
    d, w = crowd, crowd.world
    offices = [w.office_x, w.office_y, d.office_z]
    categories = [w.category, d.children, d.disability]
    winners = list(Organisation.objects.filter(status="verified")[:30])
    now = timezone.now()
    for i in range(30):
        Tender.objects.create(office=offices[i % 3], category=categories[i % 3], title=f"社区服务项目{i:02d}",
                              budget_ceiling=Decimal("50000.00") + i, status=Tender.Status.PUBLISHED,
                              published_at=now - dt.timedelta(days=i), submission_deadline=now + dt.timedelta(days=10))
    for i in range(30):
        tender = Tender.objects.create(
            office=offices[i % 3], category=categories[i % 3], title=f"已定标项目{i:02d}",
            budget_ceiling=Decimal("80000.00"), status=Tender.Status.STANDSTILL if i % 2 else Tender.Status.AWARDED,
            published_at=now - dt.timedelta(days=40 + i), submission_deadline=now - dt.timedelta(days=20),
            standstill_ends_at=now - dt.timedelta(days=i),
        )
        bid = Bid.objects.create(tender=tender, organisation=winners[i], status=Bid.Status.AWARDED,
                                 price=Decimal("70000.00"), created_by=w.member_a, submitted_at=now)
        tender.awarded_bid = bid
        tender.save(update_fields=["awarded_bid"])
    return d


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "pin"), [
    ("", 6),  # count, the page of rows, two option lists, the Wagtail site and its footer settings
    ("status=published", 6), ("page=2", 6), ("budget_min=x", 6),
    ("category=disability&office={office}", 8),  # + the chosen category and office
])
def test_tender_list_query_count(client, tenders, warm, django_assert_max_num_queries, query, pin):
    query = query.format(office=tenders.office_z.pk)
    with django_assert_max_num_queries(pin):
        response = client.get(f"/tenders/?{query}")
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 20


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_award_list_query_count(client, tenders, warm, django_assert_max_num_queries, prefix):
    with django_assert_max_num_queries(4):
        response = client.get(f"{prefix}/awards/")
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 20
