"""The contracts dashboard: each party's contracts, what is due from it (evidence, acceptance, payments), and the
payments; the query count does not grow with the number of contracts."""

import pytest
import time_machine

from contracts import services

from .contract_helpers import MONDAY, active_contract, make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def _section(page: str, heading_id: str) -> str:
    start = page.find(f'id="{heading_id}"')
    return "" if start == -1 else page[start:page.find("</section>", start)]


def test_each_side_sees_what_is_due_from_it(client, world):
    contract = active_contract(world, title="居家养老上门服务")
    first, second, _third = contract.milestones.order_by("sequence")
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="材料")
    services.milestone_accept(actor=world.procurement_x, milestone_id=first.pk)
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=second.pk, report="材料")
    make_contract(world, title="助餐服务草稿")

    client.force_login(world.member_a)
    page = client.get("/en/dashboard/contracts/").content.decode()
    assert "居家养老上门服务" in _section(page, "my-contracts") and "助餐服务草稿" in _section(page, "my-contracts")
    evidence = _section(page, "evidence-due")
    assert "3. " in evidence and "1. " not in evidence and "2. " not in evidence  # only the scheduled one
    assert _section(page, "acceptance-due") == "" and _section(page, "payments-due") == ""
    assert "29,400.00" in _section(page, "payments")  # the provider sees the payment it will receive

    client.force_login(world.procurement_x)
    page = client.get("/en/dashboard/contracts/").content.decode()
    assert "2. " in _section(page, "acceptance-due")
    assert "29,400.00" in _section(page, "payments-due") and "Pending" in _section(page, "payments-due")
    assert _section(page, "evidence-due") == ""

    services.payment_record_offline(actor=world.procurement_x, payment_id=first.payment.pk, reference="ZZ1")
    page = client.get("/en/dashboard/contracts/").content.decode()
    assert _section(page, "payments-due") == ""
    assert "paid outside the platform" in _section(page, "payments")


def test_outsiders_and_evaluators_see_no_contracts(client, world):
    active_contract(world)
    for user in (world.member_b, world.evaluator_x, world.procurement_y):
        client.force_login(user)
        page = client.get("/en/dashboard/contracts/").content.decode()
        assert "居家养老上门服务" not in page and "No contracts yet." in page


def test_the_dashboard_query_count_does_not_grow_with_contracts(client, world, django_assert_max_num_queries):
    client.force_login(world.procurement_x)
    active_contract(world, title="合同一")
    client.get("/dashboard/contracts/")  # warm the per-user and site caches
    with django_assert_max_num_queries(25) as few:
        client.get("/dashboard/contracts/")
    for n in range(5):
        contract = active_contract(world, title=f"合同{n + 2}")
        first = contract.milestones.first()
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="材料")
        services.milestone_accept(actor=world.procurement_x, milestone_id=first.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/dashboard/contracts/").content.decode()
    assert "合同6" in page
