"""Purchase lists through the Wagtail admin: one per office and year, the budget check the editor must confirm,
the total on the public page, and lines whose tender is under way that cannot be removed."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from bids import services as bid_services
from bids.models import Tender
from catalogue.models import PurchaseListPage

from .conftest import add_url, edit_url, existing_lines, folder_of, line, list_form


def zh(message):
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture
def published_list(client, world):
    """Office X's 2027 list, published by its head, with two lines inside the reference range."""
    client.force_login(world.head_x)
    response = client.post(add_url("purchaselistpage", folder_of(world.office_x)), list_form(
        lines=[line(world.item, title="居家养老上门服务", quantity=10, budget="12000.00"),
               line(world.item, title="老年助餐配送", quantity=5, budget="5000.00", month=6)],
        action="publish",
    ))
    assert response.status_code == 302, response.context["form"].errors
    return PurchaseListPage.objects.get(office=world.office_x, year=2027)


def test_the_office_comes_from_the_folder_and_the_page_shows_the_total(client, world, published_list):
    # then
    assert published_list.office == world.office_x
    assert published_list.live
    response = client.get(published_list.url)
    assert response.status_code == 200
    assert "¥17,000.00" in response.content.decode()
    assert published_list.total_budget == Decimal("17000.00")


def test_a_second_list_for_the_same_office_and_year_is_refused(client, world, published_list):
    # when
    response = client.post(add_url("purchaselistpage", folder_of(world.office_x)),
                           list_form(lines=[line(world.item)], title="重复的清单", action="publish"))
    # then
    assert response.status_code == 200
    message = zh("This office already has a purchase list for %(year)s.") % {"year": 2027}
    assert response.context["form"].errors["year"] == [message]
    assert message in response.content.decode()
    assert 'value="重复的清单"' in response.content.decode()
    assert PurchaseListPage.objects.filter(office=world.office_x).count() == 1


def test_the_same_year_is_free_for_another_office(client, world, published_list):
    client.force_login(world.procurement_y)
    response = client.post(add_url("purchaselistpage", folder_of(world.office_y)), list_form(lines=[line(world.item)]))
    assert response.status_code == 302
    assert PurchaseListPage.objects.get(office=world.office_y).year == 2027


def test_a_budget_outside_the_reference_range_needs_confirmation(client, world):
    # given the item's range is ¥800–¥1,500 per unit, so ¥8,000–¥15,000 for 10 units
    client.force_login(world.procurement_x)
    url = add_url("purchaselistpage", folder_of(world.office_x))
    lines = [line(world.item, title="居家养老上门服务", quantity=10, budget="20000.00"),
             line(world.item, title="低价试点", quantity=2, budget="100.00"),
             line(world.item, title="正常的行", quantity=1, budget="1000.00")]
    # when
    response = client.post(url, list_form(lines=lines))
    # then the page is not saved, each line outside its range is named with the range, and the input stays
    assert response.status_code == 200
    errors = response.context["form"].errors["confirm_budgets"]
    assert errors[0] == zh("Some budgets are outside the reference range. Check them, then tick this box to confirm.")
    assert len(errors) == 3
    assert "“居家养老上门服务”" in errors[1] and "¥20,000.00" in errors[1] and "¥8,000.00–¥15,000.00" in errors[1]
    assert "“低价试点”" in errors[2] and "¥1,600.00–¥3,000.00" in errors[2]
    content = response.content.decode()
    assert "¥8,000.00–¥15,000.00" in content
    assert 'value="低价试点"' in content
    assert not PurchaseListPage.objects.exists()
    # when the officer confirms
    response = client.post(url, list_form(lines=lines, confirm_budgets="on"))
    # then
    assert response.status_code == 302
    assert PurchaseListPage.objects.get().lines.count() == 3


def test_budgets_inside_the_range_need_no_confirmation(client, world):
    client.force_login(world.procurement_x)
    response = client.post(add_url("purchaselistpage", folder_of(world.office_x)),
                           list_form(lines=[line(world.item, quantity=10, budget="8000.00"),
                                            line(world.item, title="上限", quantity=10, budget="15000.00")]))
    assert response.status_code == 302


def test_a_removed_line_whose_tender_is_published_is_refused(client, world, published_list, time_machine):
    # given the first line's tender has been published
    time_machine.move_to("2026-03-02 09:00 +08:00", tick=False)
    tender = Tender.objects.get(title="居家养老上门服务")
    bid_services.tender_update(actor=world.procurement_x, tender=tender,
                               clarification_deadline="2026-03-05T17:00+08:00",
                               submission_deadline="2026-03-12T10:00+08:00")
    bid_services.tender_publish(actor=world.procurement_x, tender=tender)
    lines = existing_lines(published_list, **{"居家养老上门服务": {"DELETE": "1"}})
    # when the head removes it and publishes
    response = client.post(edit_url(published_list), list_form(lines=lines, initial=2, action="publish"))
    # then nothing changes and the message says which line and why
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0] == zh("These lines cannot be removed:")
    assert "“居家养老上门服务”" in errors[1]
    assert "“居家养老上门服务”" in response.content.decode()
    assert published_list.lines.count() == 2
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED


def test_a_removed_line_whose_tender_is_draft_cancels_the_draft(client, world, published_list):
    # given
    tender = Tender.objects.get(title="老年助餐配送")
    lines = existing_lines(published_list, **{"老年助餐配送": {"DELETE": "1"}})
    # when
    response = client.post(edit_url(published_list), list_form(lines=lines, initial=2, action="publish"))
    # then
    assert response.status_code == 302
    assert list(published_list.lines.values_list("title", flat=True)) == ["居家养老上门服务"]
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CANCELLED
    assert Tender.objects.get(title="居家养老上门服务").status == Tender.Status.DRAFT
