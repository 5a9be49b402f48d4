"""A service item's reference price range through the Wagtail admin: the lower bound may not exceed the upper."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from catalogue.models import ServiceCategoryPage, ServiceItemPage
from tests.factories import UserFactory

from .conftest import add_url, item_form


@pytest.fixture
def editor_client(client, world):
    client.force_login(UserFactory(email="editor@example.cn", is_superuser=True, is_staff=True))
    return client


def test_an_inverted_price_range_is_refused_and_the_input_kept(editor_client, world):
    # given
    category_page = ServiceCategoryPage.objects.get()
    # when
    response = editor_client.post(add_url("serviceitempage", category_page),
                                  item_form(price_min="900.00", price_max="600.00", unit="人·次"))
    # then
    assert response.status_code == 200
    form = response.context["form"]
    content = response.content.decode()
    with translation.override("zh-hans"):
        message = gettext("The upper reference price must not be below the lower one.")
    assert form.errors["price_max"] == [message]
    assert message in content
    assert form["price_min"].value() == "900.00"
    assert form["unit"].value() == "人·次"
    assert 'value="人·次"' in content
    assert not ServiceItemPage.objects.filter(slug="meal-service").exists()


def test_a_valid_range_creates_the_item(editor_client, world):
    category_page = ServiceCategoryPage.objects.get()
    response = editor_client.post(add_url("serviceitempage", category_page),
                                  item_form(price_min="600.00", price_max="600.00"))
    assert response.status_code == 302
    item = ServiceItemPage.objects.get(slug="meal-service")
    assert (item.price_min, item.price_max) == (Decimal("600.00"), Decimal("600.00"))
    assert item.get_parent().pk == category_page.pk
