"""The office edits a draft's term and milestone plan on the contract page: sums and dates are checked with clear
messages in both languages, what was typed is kept, rows can be added and removed. The contract keeps its own
copy of the service item's indicators and shows them."""

from decimal import Decimal

import pytest
import time_machine

from contracts.models import Contract, Milestone
from marketplace.models import AuditEvent

from .contract_helpers import MONDAY, make_contract, plan_data, sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft(world):
    return make_contract(world)


def _url(contract, lang=""):
    return f"{lang}/dashboard/contracts/{contract.pk}/plan/"


def _milestones(contract):
    return list(Milestone.objects.filter(contract=contract).order_by("sequence")
                .values_list("title", "due_on", "amount"))


def test_the_draft_page_offers_the_plan_filled_with_the_default_split(client, world, draft):
    client.force_login(world.procurement_x)
    page = client.get(f"/en/dashboard/contracts/{draft.pk}/").content.decode()
    assert 'name="plan-TOTAL_FORMS" value="3"' in page
    assert 'value="29400.00"' in page and 'value="39200.00"' in page  # 30% and 40% of ¥98,000
    assert 'name="starts_on" value="2026-03-02"' in page
    # The provider sees the plan but no form to change it.
    client.force_login(world.member_a)
    assert "plan-TOTAL_FORMS" not in client.get(f"/en/dashboard/contracts/{draft.pk}/").content.decode()


def test_office_saves_a_plan_with_a_row_added_and_one_removed(client, world, draft):
    client.force_login(world.procurement_x)
    rows = [
        {"title": "入户评估", "due_on": "2026-04-30", "amount": "20000.00"},
        {"title": "要删除的节点", "due_on": "2026-06-30", "amount": "1.00", "DELETE": "on"},
        {"title": "中期服务", "due_on": "2026-09-30", "amount": "48000.00"},
        {"title": "终期评估", "due_on": "2027-02-26", "amount": "30000.00"},
    ]
    response = client.post(_url(draft), plan_data(rows, starts_on="2026-03-02", ends_on="2027-02-28"))
    assert response.status_code == 302
    assert _milestones(draft) == [
        ("入户评估", MONDAY.date().replace(month=4, day=30), Decimal("20000.00")),
        ("中期服务", MONDAY.date().replace(month=9, day=30), Decimal("48000.00")),
        ("终期评估", MONDAY.date().replace(year=2027, month=2, day=26), Decimal("30000.00")),
    ]
    assert list(draft.milestones.values_list("sequence", flat=True).order_by("sequence")) == [1, 2, 3]
    draft.refresh_from_db()
    assert str(draft.ends_on) == "2027-02-28"
    assert AuditEvent.objects.filter(verb="contract.plan", object_id=str(draft.pk)).exists()


def test_amounts_that_miss_the_value_are_refused_in_chinese_and_english_and_the_input_is_kept(client, world, draft):
    before = _milestones(draft)
    client.force_login(world.procurement_x)
    rows = [{"title": "第一次入户评估", "due_on": "2026-05-15", "amount": "12345.67"},
            {"title": "结项", "due_on": "2027-01-15", "amount": "50000.00"}]
    zh = client.post(_url(draft), plan_data(rows))
    assert zh.status_code == 400
    page = zh.content.decode()
    assert "各履约节点金额合计 ¥62,345.67，与合同金额 ¥98,000.00 不符。" in page
    assert 'value="第一次入户评估"' in page and 'value="12345.67"' in page and 'value="2026-05-15"' in page
    en = client.post(_url(draft, "/en"), plan_data(rows)).content.decode()
    assert "The milestone amounts add up to ¥62,345.67, but the contract value is ¥98,000.00." in en
    assert _milestones(draft) == before


def test_a_due_date_outside_the_term_is_refused_with_the_milestone_named(client, world, draft):
    client.force_login(world.procurement_x)
    rows = [{"title": "评估", "due_on": "2026-02-27", "amount": "48000.00"},
            {"title": "结项", "due_on": "2027-03-01", "amount": "50000.00"}]
    response = client.post(_url(draft, "/en"), plan_data(rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Milestone 1 is due on 2026-02-27, outside the contract term (2026-03-02 to 2027-03-01)." in page
    assert 'value="2026-02-27"' in page
    # A term that ends before it starts is named as such.
    response = client.post(_url(draft, "/en"), plan_data(rows, starts_on="2027-03-01", ends_on="2026-03-02"))
    assert response.status_code == 400 and "The term must end after it starts." in response.content.decode()


def test_a_malformed_row_gets_its_field_error_and_nothing_is_saved(client, world, draft):
    before = _milestones(draft)
    client.force_login(world.procurement_x)
    rows = [{"title": "评估", "due_on": "not a date", "amount": "-5"},
            {"title": "", "due_on": "2027-03-01", "amount": "50000.00"}]
    response = client.post(_url(draft, "/en"), plan_data(rows, initial=2))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid date." in page and "greater than or equal to 0.01" in page
    assert "This field is required." in page and 'value="not a date"' in page
    assert _milestones(draft) == before


def test_add_a_row_keeps_everything_typed_and_saves_nothing(client, world, draft):
    before = _milestones(draft)
    client.force_login(world.procurement_x)
    rows = [{"title": "我刚输入的节点", "due_on": "2026-05-15", "amount": "1.00"}]
    response = client.post(_url(draft, "/en"), plan_data(rows, add_row="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="plan-TOTAL_FORMS" value="2"' in page and 'value="我刚输入的节点"' in page
    assert 'name="plan-1-title"' in page
    assert _milestones(draft) == before


def test_only_the_office_changes_the_plan_and_only_while_draft(client, world, draft):
    rows = [{"title": "全部", "due_on": "2027-03-01", "amount": "98000.00"}]
    client.force_login(world.member_a)
    assert client.post(_url(draft), plan_data(rows)).status_code == 404
    client.force_login(world.evaluator_x)
    assert client.post(_url(draft), plan_data(rows)).status_code == 404
    contract = sign(world, draft)
    client.force_login(world.procurement_x)
    response = client.post(_url(contract, "/en"), plan_data(rows), follow=True)
    assert "can be changed only while the contract is a draft" in response.content.decode()
    assert Milestone.objects.filter(contract=contract).count() == 3


def test_the_contract_keeps_its_copy_of_the_items_indicators_and_shows_them(client, world, draft):
    assert draft.indicators == world.item.indicator_snapshot() == [
        {"name": "服务覆盖率", "target": "≥95%", "measurement": "核对服务记录"}]
    # The catalogue item changes later; the contract does not.
    item = world.item
    item.indicators = [("indicator", {"name": "满意度", "target": "≥90%", "measurement": "问卷"})]
    item.save_revision().publish()
    draft.refresh_from_db()
    assert draft.indicators[0]["name"] == "服务覆盖率"
    client.force_login(world.member_a)
    work = client.get(f"/dashboard/contracts/{draft.pk}/").content.decode()
    assert "服务覆盖率" in work and "核对服务记录" in work and "满意度" not in work
    contract = sign(world, draft)
    assert contract.status == Contract.Status.ACTIVE
    client.logout()
    assert "服务覆盖率" in client.get(f"/contracts/{contract.pk}/").content.decode()
