"""Contract variations (合同变更): one party proposes, the other accepts (the contract changes and the PDF is issued
again as a new version) or rejects; the proposer may withdraw. Settled milestones cannot change; history is kept."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from contracts import services
from contracts.models import Contract, ContractDocument, ContractVariation, Milestone
from contracts.tasks import contract_generate_document
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import AuditEvent

from .contract_helpers import MONDAY, active_contract, make_contract, plan_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def contract(world):
    return active_contract(world)


def _plan(contract, changes=None):
    """The current plan as rows, with `changes` {sequence: {field: value}}."""
    rows = []
    for m in contract.milestones.order_by("sequence"):
        row = {"id": m.pk, "title": m.title, "due_on": m.due_on, "amount": m.amount}
        row.update((changes or {}).get(m.sequence, {}))
        rows.append(row)
    return rows


def _propose(world, contract, *, actor=None, value="98000.00", plan=None, ends_on=None, reason="服务人数增加"):
    return services.contract_variation_propose(
        actor=actor or world.procurement_x, contract_id=contract.pk, reason=reason, value=Decimal(value),
        starts_on=contract.starts_on, ends_on=ends_on or contract.ends_on, plan=plan or _plan(contract))


def test_office_proposes_more_value_and_a_new_milestone_provider_accepts_and_a_new_pdf_version_follows(
        world, contract, django_capture_on_commit_callbacks, tmp_path):
    contract_generate_document.apply(args=[contract.pk]).get()  # version 1, at activation
    first, second, third = contract.milestones.order_by("sequence")
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="评估报告")
    services.milestone_accept(actor=world.procurement_x, milestone_id=first.pk)
    plan = [*_plan(contract, {3: {"amount": Decimal("19400.00")}}),
            {"id": None, "title": "延伸服务", "due_on": dt.date(2027, 2, 1), "amount": Decimal("20000.00")}]
    variation = _propose(world, contract, value="108000.00", plan=plan)
    assert variation.status == ContractVariation.Status.PROPOSED and variation.proposed_side == "office"
    assert variation.before["value"] == "98000.00" and variation.after["value"] == "108000.00"
    contract.refresh_from_db()
    assert contract.value == Decimal("98000.00")  # nothing changes before the other party accepts
    with django_capture_on_commit_callbacks() as callbacks:
        services.contract_variation_accept(actor=world.member_a, variation_id=variation.pk, ip="10.2.2.2")
    variation.refresh_from_db()
    assert variation.status == ContractVariation.Status.ACCEPTED
    assert (variation.decided_by, variation.decided_ip) == (world.member_a, "10.2.2.2") and variation.decided_at
    contract.refresh_from_db()
    assert contract.value == Decimal("108000.00")
    rows = list(contract.milestones.order_by("sequence").values_list("pk", "sequence", "title", "amount", "status"))
    assert rows == [
        (first.pk, 1, first.title, first.amount, Milestone.Status.ACCEPTED),
        (second.pk, 2, second.title, second.amount, Milestone.Status.SCHEDULED),
        (third.pk, 3, third.title, Decimal("19400.00"), Milestone.Status.SCHEDULED),
        (rows[3][0], 4, "延伸服务", Decimal("20000.00"), Milestone.Status.SCHEDULED),
    ]
    assert sum(r[3] for r in rows) == contract.value
    # The document task was queued after commit; running it makes version 2 with the new plan.
    assert len(callbacks) == 1
    contract_generate_document.apply(args=[contract.pk]).get()
    assert list(contract.documents.values_list("version", flat=True)) == [2, 1]
    version2 = ContractDocument.objects.get(contract=contract, version=2)
    assert version2.sha256 != ContractDocument.objects.get(contract=contract, version=1).sha256
    pdf = tmp_path / "v2.pdf"
    pdf.write_bytes(version2.file.open("rb").read())
    text = subprocess.run([shutil.which("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "延伸服务" in text and "¥108,000.00" in text and "服务人数增加" in text and "10.2.2.2" in text
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"variation.propose", "variation.accept", "contract.vary"} <= verbs


def test_the_history_is_shown_to_both_parties(client, world, contract):
    v1 = _propose(world, contract, ends_on=dt.date(2027, 3, 31), reason="延长服务期")
    services.contract_variation_reject(actor=world.member_a, variation_id=v1.pk, reason="人员不足")
    v2 = _propose(world, contract, actor=world.member_a, plan=_plan(contract, {1: {"title": "入户评估（调整）"}}),
                  reason="节点名称更准确")
    services.contract_variation_withdraw(actor=world.member_a, variation_id=v2.pk)
    for user in (world.procurement_x, world.member_a):
        client.force_login(user)
        page = client.get(f"/en/dashboard/contracts/{contract.pk}/").content.decode()
        assert "延长服务期" in page and "人员不足" in page and "2027-03-31" in page
        assert "节点名称更准确" in page and "入户评估（调整）" in page
        assert "Withdrawn" in page and "Rejected" in page
        assert "Propose a variation" in page  # nothing is open, so a new one may be proposed


def test_the_other_side_decides_and_only_the_proposer_withdraws(world, contract):
    variation = _propose(world, contract, actor=world.member_a, ends_on=dt.date(2027, 3, 31))
    assert variation.proposed_side == "provider"
    with pytest.raises(PermissionDenied):
        services.contract_variation_accept(actor=world.member_a, variation_id=variation.pk, ip=None)
    with pytest.raises(PermissionDenied):
        services.contract_variation_reject(actor=world.member_a, variation_id=variation.pk, reason="x")
    with pytest.raises(PermissionDenied):
        services.contract_variation_withdraw(actor=world.head_x, variation_id=variation.pk)
    for outsider in (world.member_b, world.evaluator_x, world.procurement_y, world.operator):
        with pytest.raises(NotFound):
            services.contract_variation_accept(actor=outsider, variation_id=variation.pk, ip=None)
    with pytest.raises(ValidationFailed):
        services.contract_variation_reject(actor=world.head_x, variation_id=variation.pk, reason="  ")
    with pytest.raises(Conflict):  # one open variation at a time
        _propose(world, contract, value="98000.00", ends_on=dt.date(2027, 4, 30))
    services.contract_variation_accept(actor=world.head_x, variation_id=variation.pk, ip="10.1.1.1")
    for call in (lambda: services.contract_variation_accept(actor=world.head_x, variation_id=variation.pk, ip=None),
                 lambda: services.contract_variation_reject(actor=world.head_x, variation_id=variation.pk, reason="x"),
                 lambda: services.contract_variation_withdraw(actor=world.member_a, variation_id=variation.pk)):
        with pytest.raises(Conflict):
            call()
    contract.refresh_from_db()
    assert contract.ends_on == dt.date(2027, 3, 31)


def test_settled_milestones_cannot_change_and_sums_and_dates_are_checked(world, contract):
    first = contract.milestones.order_by("sequence").first()
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="评估报告")
    cases = {
        "is Evidence submitted and cannot change": _plan(contract, {1: {"amount": Decimal("1.00")},
                                                                       2: {"amount": Decimal("68599.00")}}),
        "add up to ¥97,000.00": _plan(contract, {2: {"amount": Decimal("38200.00")}}),
        "outside the contract term": _plan(contract, {2: {"due_on": dt.date(2028, 1, 1)}}),
    }
    with translation.override("en"):
        for expected, plan in cases.items():
            with pytest.raises(ValidationFailed) as caught:
                _propose(world, contract, plan=plan)
            assert any(expected in str(r) for r in caught.value.reasons), (expected, caught.value.reasons)
        removed = [row for row in _plan(contract) if row["id"] != first.pk]
        with pytest.raises(ValidationFailed, match="is Evidence submitted and cannot change"):
            _propose(world, contract, plan=removed)
        with pytest.raises(ValidationFailed, match="changes nothing"):
            _propose(world, contract)
        with pytest.raises(ValidationFailed, match="reason"):
            _propose(world, contract, reason=" ", ends_on=dt.date(2027, 3, 31))
    assert not ContractVariation.objects.exists()


def test_a_variation_overtaken_by_delivery_cannot_be_accepted(world, contract):
    second = contract.milestones.get(sequence=2)
    variation = _propose(world, contract, plan=_plan(contract, {2: {"due_on": dt.date(2026, 12, 1)}}))
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=second.pk, report="中期报告")
    with pytest.raises(Conflict, match="提出该变更后合同已有变化"):
        services.contract_variation_accept(actor=world.member_a, variation_id=variation.pk, ip=None)
    variation.refresh_from_db()
    assert variation.status == ContractVariation.Status.PROPOSED


def test_variations_only_while_active(world):
    draft = make_contract(world, title="草稿合同")
    with pytest.raises(Conflict):
        _propose(world, draft, ends_on=dt.date(2027, 3, 31))


def test_the_proposal_page_keeps_input_and_says_what_is_wrong(client, world, contract):
    client.force_login(world.member_a)
    url = f"/en/dashboard/contracts/{contract.pk}/variations/new/"
    page = client.get(url).content.decode()
    assert 'name="plan-TOTAL_FORMS" value="3"' in page and 'name="value" value="98000.00"' in page
    rows = [{"id": r["id"], "title": r["title"], "due_on": r["due_on"].isoformat(), "amount": str(r["amount"])}
            for r in _plan(contract)]
    rows[2]["amount"] = "1.00"
    data = plan_data(rows, initial=3, reason="调整终期金额", value="98000.00", starts_on="2026-03-02",
                     ends_on="2027-03-01")
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The milestone amounts add up to ¥68,601.00" in page and "调整终期金额" in page and 'value="1.00"' in page
    rows[2]["amount"] = "29400.00"
    rows[1]["amount"] = "39200.00"
    rows[0]["due_on"] = "2026-07-01"
    response = client.post(url, plan_data(rows, initial=3, reason="调整首期时间", value="98000.00",
                                          starts_on="2026-03-02", ends_on="2027-03-01"))
    assert response.status_code == 302
    variation = ContractVariation.objects.get()
    assert variation.after["milestones"][0]["due_on"] == "2026-07-01" and variation.proposed_by == world.member_a
    # The office answers through the contract page.
    client.force_login(world.head_x)
    page = client.get(f"/en/dashboard/contracts/{contract.pk}/").content.decode()
    assert "Accept the variation" in page
    client.post(f"/dashboard/contracts/{contract.pk}/variation_accept/", {"variation": variation.pk})
    variation.refresh_from_db()
    assert variation.status == ContractVariation.Status.ACCEPTED and variation.decided_ip == "127.0.0.1"
    assert Contract.objects.get(pk=contract.pk).milestones.get(sequence=1).due_on == dt.date(2026, 7, 1)


def test_a_milestone_with_rejected_evidence_stays_in_the_plan(world, contract):
    second = contract.milestones.get(sequence=2)
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=second.pk, report="中期报告")
    services.milestone_reject(actor=world.procurement_x, milestone_id=second.pk, reason="不完整")
    plan = [row for row in _plan(contract) if row["id"] != second.pk]
    plan[-1]["amount"] += second.amount
    with translation.override("en"), pytest.raises(ValidationFailed, match="already has evidence"):
        _propose(world, contract, plan=plan)
    # It may still be moved: it is scheduled again.
    variation = _propose(world, contract, plan=_plan(contract, {2: {"due_on": dt.date(2026, 12, 31)}}))
    services.contract_variation_accept(actor=world.member_a, variation_id=variation.pk, ip=None)
    assert Milestone.objects.get(pk=second.pk).due_on == dt.date(2026, 12, 31)

