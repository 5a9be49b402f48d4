"""Publishing a purchase list opens one draft tender per line (bids listens; the catalogue never imports bids).
Republishing is idempotent, and a tender keeps its own copy of the item's indicators."""

from decimal import Decimal

import pytest

from bids.models import Tender
from bids.services import tenders_sync_from_purchase_list
from catalogue.models import PurchaseListPage, ServiceItemPage
from marketplace.models import AuditEvent

from .conftest import add_url, edit_url, existing_lines, folder_of, line, list_form


@pytest.fixture
def published_list(client, world):
    client.force_login(world.head_x)
    response = client.post(add_url("purchaselistpage", folder_of(world.office_x)), list_form(
        lines=[line(world.item, title="居家养老上门服务", quantity=10, budget="12000.00", month=3),
               line(world.item, title="老年助餐配送", quantity=5, budget="5000.00", month=6, notes="每日午餐")],
        action="publish",
    ))
    assert response.status_code == 302
    return PurchaseListPage.objects.get(office=world.office_x, year=2027)


def republish(client, page, **changes):
    lines = existing_lines(page, **changes)
    response = client.post(edit_url(page), list_form(lines=lines, initial=len(lines), action="publish"))
    assert response.status_code == 302, response.context["form"].errors
    return response


def test_publishing_opens_one_draft_tender_per_line(world, published_list):
    tenders = {t.title: t for t in Tender.objects.filter(purchase_list=published_list)}
    assert set(tenders) == {"居家养老上门服务", "老年助餐配送"}
    meal = tenders["老年助餐配送"]
    assert meal.status == Tender.Status.DRAFT
    assert (meal.office, meal.service_item_id, meal.category) == (world.office_x, world.item.pk, world.category)
    assert (meal.quantity, meal.budget_ceiling, meal.planned_month, meal.description) == (
        5, Decimal("5000.00"), 6, "每日午餐")
    keys = set(published_list.lines.values_list("key", flat=True))
    assert set(Tender.objects.values_list("line_key", flat=True)) == keys


def test_republishing_unchanged_lines_changes_nothing(client, world, published_list):
    # given
    before = {t.pk: t.updated_at for t in Tender.objects.all()}
    tender_events = AuditEvent.objects.filter(verb__startswith="tender.").count()
    # when
    republish(client, published_list)
    tenders_sync_from_purchase_list(actor=world.head_x, page=published_list)
    # then
    assert {t.pk: t.updated_at for t in Tender.objects.all()} == before
    assert AuditEvent.objects.filter(verb__startswith="tender.").count() == tender_events


def test_a_changed_line_updates_its_draft_tender_and_a_new_line_adds_one(client, world, published_list):
    # given
    meal = Tender.objects.get(title="老年助餐配送")
    lines = existing_lines(published_list, **{"老年助餐配送": {"budget": "6000.00", "quantity": 6}})
    lines.append(line(world.item, title="高龄老人探访", quantity=2, budget="2000.00", month=9))
    # when
    response = client.post(edit_url(published_list), list_form(lines=lines, initial=2, action="publish"))
    # then
    assert response.status_code == 302
    assert Tender.objects.count() == 3
    meal.refresh_from_db()
    assert (meal.budget_ceiling, meal.quantity, meal.status) == (Decimal("6000.00"), 6, Tender.Status.DRAFT)
    event = AuditEvent.objects.get(verb="tender.update_from_list")
    assert set(event.after) == {"budget_ceiling", "quantity"}
    assert Tender.objects.get(title="高龄老人探访").planned_month == 9


def test_the_tender_keeps_the_indicators_it_was_opened_with(client, world, published_list):
    # given
    tender = Tender.objects.get(title="居家养老上门服务")
    assert tender.indicators == [{"name": "服务覆盖率", "target": "≥95%", "measurement": "核对服务记录"}]
    # when the catalogue editor changes the item's indicators
    item = ServiceItemPage.objects.get(pk=world.item.pk)
    item.indicators = [("indicator", {"name": "满意度", "target": "≥90%", "measurement": "问卷"})]
    item.save_revision().publish()
    # then the tender keeps its copy
    tender.refresh_from_db()
    assert tender.indicators[0]["name"] == "服务覆盖率"
    # when the list is republished, a draft takes the catalogue's current indicators, but a published tender not
    tenders_sync_from_purchase_list(actor=world.head_x, page=published_list)
    tender.refresh_from_db()
    assert tender.indicators == [{"name": "满意度", "target": "≥90%", "measurement": "问卷"}]
    Tender.objects.filter(pk=tender.pk).update(status=Tender.Status.PUBLISHED)
    item.indicators = [("indicator", {"name": "回访率", "target": "100%", "measurement": "电话回访"})]
    item.save_revision().publish()
    tenders_sync_from_purchase_list(actor=world.head_x, page=published_list)
    tender.refresh_from_db()
    assert tender.indicators == [{"name": "满意度", "target": "≥90%", "measurement": "问卷"}]
