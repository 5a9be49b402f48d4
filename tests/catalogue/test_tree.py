"""The catalogue tree cannot be mis-built: Wagtail's own rules, and the admin refusing a page in the wrong place."""

import pytest
from django.urls import reverse

from catalogue.models import (
    CatalogueIndexPage,
    OfficePurchaseListsPage,
    PurchaseListIndexPage,
    PurchaseListPage,
    ServiceCategoryPage,
    ServiceItemPage,
)
from cms.models import HomePage
from tests.factories import UserFactory

from .conftest import add_url, assert_refused, folder_of, item_form


@pytest.fixture
def editor(world):
    return UserFactory(email="editor@example.cn", is_superuser=True, is_staff=True)


def test_each_page_type_is_allowed_only_under_its_parent(world):
    # given
    catalogue = CatalogueIndexPage.objects.get()
    category_page = ServiceCategoryPage.objects.get()
    lists_index = PurchaseListIndexPage.objects.get()
    folder = folder_of(world.office_x)
    # then
    assert set(catalogue.specific_class.allowed_subpage_models()) == {ServiceCategoryPage, PurchaseListIndexPage}
    assert ServiceCategoryPage.allowed_subpage_models() == [ServiceItemPage]
    assert ServiceItemPage.allowed_subpage_models() == []
    assert OfficePurchaseListsPage.allowed_subpage_models() == [PurchaseListPage]
    assert PurchaseListPage.allowed_subpage_models() == []
    assert ServiceItemPage.can_create_at(category_page)
    assert not ServiceItemPage.can_create_at(catalogue)
    assert not ServiceItemPage.can_create_at(folder)
    assert PurchaseListPage.can_create_at(folder)
    assert not PurchaseListPage.can_create_at(lists_index)
    assert not PurchaseListPage.can_create_at(category_page)
    assert not ServiceCategoryPage.can_create_at(lists_index)
    # one catalogue and one purchase-list index per site
    assert not CatalogueIndexPage.can_create_at(HomePage.objects.get())
    assert not PurchaseListIndexPage.can_create_at(catalogue)


def test_the_admin_refuses_a_page_in_the_wrong_place(client, world, editor):
    # given
    client.force_login(editor)
    catalogue = CatalogueIndexPage.objects.get()
    count = ServiceItemPage.objects.count()
    # when an item is added straight under the catalogue, or a list under a category
    get_item = client.get(add_url("serviceitempage", catalogue))
    post_item = client.post(add_url("serviceitempage", catalogue), item_form())
    get_list = client.get(add_url("purchaselistpage", ServiceCategoryPage.objects.get()))
    # then
    for response in (get_item, post_item, get_list):
        assert_refused(response)
    assert ServiceItemPage.objects.count() == count


def test_the_admin_offers_only_the_allowed_types(client, world, editor):
    client.force_login(editor)
    catalogue = CatalogueIndexPage.objects.get()
    # when
    response = client.get(reverse("wagtailadmin_pages:add_subpage", args=[catalogue.pk]))
    # then the purchase-list index exists already (max_count), so the only choice left is a category
    assert response.status_code == 302
    assert response["Location"] == add_url("servicecategorypage", catalogue)
