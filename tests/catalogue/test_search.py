"""Site search in Chinese on Wagtail's database backend (run here on SQLite FTS5; CI repeats it on PostgreSQL):
养老 finds the elderly-care items, and two characters are found inside a longer word."""

import pytest
from django.urls import reverse

from catalogue.models import PurchaseListPage
from catalogue.search import bigram_text, han_bigrams, search_query
from tests.conftest import make_service_item as make_item
from tests.factories import ServiceCategoryFactory

from .conftest import add_url, folder_of, line, list_form


@pytest.fixture
def catalogue(world):
    """Elderly-care items (养老服务) and a youth item that must not be found by elderly-care words."""

    def make_service_item(*, description, **fields):
        item = make_item(**fields)
        item.description = description
        item.save_revision().publish()
        return item

    meals = make_service_item(category=world.category, title="老年助餐服务", title_en="Meals for older people",
                              description="<p>在社区食堂为高龄老人提供助餐配送。</p>")
    visits = make_service_item(category=world.category, title="独居老人关爱",
                               description="<p>每月对独居老人开展上门探访关爱活动。</p>")
    youth = make_service_item(category=ServiceCategoryFactory(code="youth", name="青少年服务", name_en="Youth"),
                              title="青少年课后托管", description="<p>为双职工家庭提供课后托管。</p>")
    return {"home_care": world.item, "meals": meals, "visits": visits, "youth": youth}


def titles(response):
    return {result.title for result in response.context["page_obj"]}


def test_pairs_of_han_characters_index_every_substring():
    assert han_bigrams("养老院") == ["养老", "老院"]
    assert han_bigrams("老") == ["老"]
    assert bigram_text(["<p>居家养老，上门</p>", None, "Elderly 助餐"]) == "居家 家养 养老 上门 助餐"
    assert repr(search_query("养老院 meals！")) == "<And <Phrase '养老 老院'> <PlainText 'meals' operator='and' boost=1>>"
    assert search_query(" ，。! ") is None


def test_elderly_care_finds_the_elderly_care_items(client, catalogue):
    # when
    response = client.get(reverse("catalogue:search"), {"q": "养老"})
    # then the home-care item (养老 in its title) and the category page (养老服务) are found, the youth item not
    assert response.status_code == 200
    found = titles(response)
    assert "居家养老上门服务" in found
    assert "养老服务" in found
    assert "青少年课后托管" not in found


@pytest.mark.parametrize(("query", "expected"), [
    ("助餐", "老年助餐服务"),      # inside 助餐配送 in the description, and inside the title
    ("探访", "独居老人关爱"),      # only inside 探访关爱 in the description
    ("食堂", "老年助餐服务"),
    ("高龄老人", "老年助餐服务"),  # four characters: a phrase of three pairs
    ("课后", "青少年课后托管"),
])
def test_two_or_more_characters_are_found_inside_longer_words(client, catalogue, query, expected):
    response = client.get(reverse("catalogue:search"), {"q": query})
    assert expected in titles(response)


def test_characters_that_are_not_adjacent_do_not_match(client, catalogue):
    # 老助 is not a substring of any text, though 老 and 助 both appear in 老年助餐服务
    response = client.get(reverse("catalogue:search"), {"q": "老助"})
    assert titles(response) == set()
    assert response.status_code == 200


def test_a_published_purchase_list_is_found_by_its_lines(client, world, catalogue):
    # given office X publishes a list whose line is titled 助浴
    client.force_login(world.head_x)
    client.post(add_url("purchaselistpage", folder_of(world.office_x)), list_form(
        lines=[line(world.item, title="失能老人助浴服务", quantity=10, budget="12000.00")], action="publish"))
    client.logout()
    page = PurchaseListPage.objects.get()
    assert page.live
    # when
    response = client.get(reverse("catalogue:search"), {"q": "助浴"})
    # then
    assert page.title in titles(response)


def test_drafts_are_not_found(client, world, catalogue):
    client.force_login(world.procurement_x)
    client.post(add_url("purchaselistpage", folder_of(world.office_x)), list_form(
        lines=[line(world.item, title="失能老人助浴服务", quantity=10, budget="12000.00")]))
    client.logout()
    assert not PurchaseListPage.objects.get().live
    assert titles(client.get(reverse("catalogue:search"), {"q": "助浴"})) == set()


def test_the_page_has_a_labelled_box_keeps_the_query_and_pins_its_queries(client, catalogue,
                                                                           django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalogue:search"), {"q": "老人"})
    content = response.content.decode()
    assert '<label for="search-q">' in content
    assert 'id="search-q" name="q" value="老人"' in content
    assert len(titles(response)) >= 2
    empty = client.get(reverse("catalogue:search"))
    assert empty.status_code == 200
    assert empty.context["page_obj"] is None


def test_the_english_page_searches_the_same_index(client, catalogue):
    # when
    response = client.get("/en/search/", {"q": "养老"})
    by_english_title = client.get("/en/search/", {"q": "meals"})
    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in content
    assert "Search the catalogue, purchase lists and news" in content
    assert "居家养老上门服务" in titles(response)
    assert "Meals for older people" in by_english_title.content.decode()
