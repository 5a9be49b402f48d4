"""Every contract, milestone and variation transition, allowed and refused: first the state tables themselves
(each pair of statuses through `marketplace.statemachine.transition`), then each service with the wrong side and
the wrong state. Payment transitions are tested with the Stripe work (tests/contracts/test_stripe_*.py)."""

import itertools
from decimal import Decimal

import pytest
import time_machine

from contracts import services
from contracts.models import Contract, ContractVariation, Milestone, Payment
from contracts.signals import contract_closed
from marketplace.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import AuditEvent
from marketplace.statemachine import transition

from .contract_helpers import MONDAY, active_contract, make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def _pairs(model):
    statuses = [s for s, _label in model.Status.choices]
    return [(model, a, b, b in model.TRANSITIONS[a]) for a, b in itertools.product(statuses, statuses) if a != b]


PAIRS = _pairs(Contract) + _pairs(Milestone) + _pairs(ContractVariation)


def test_every_status_has_its_row_in_the_tables():
    for model in (Contract, Milestone, ContractVariation):
        assert set(model.TRANSITIONS) == set(model.Status.values)


@pytest.mark.parametrize(("model", "source", "target", "allowed"), PAIRS,
                         ids=[f"{m.__name__}:{a}->{b}" for m, a, b, _ in PAIRS])
def test_state_table(world, model, source, target, allowed):
    contract = make_contract(world)
    obj = {
        Contract: contract,
        Milestone: contract.milestones.first(),
        ContractVariation: ContractVariation(contract=contract, number=1, proposed_side="office",
                                             proposed_by=world.procurement_x, reason="r"),
    }[model]
    obj.status = source
    obj.save()
    if allowed:
        transition(obj, target, actor=world.head_x)
        obj.refresh_from_db()
        assert obj.status == target
        assert AuditEvent.objects.filter(object_id=str(obj.pk), after__status=target).exists()
    else:
        with pytest.raises(InvalidTransition):
            transition(obj, target, actor=world.head_x)
        obj.refresh_from_db()
        assert obj.status == source


# --- Contract services ---------------------------------------------------------------------------------------


def test_send_for_signature_is_the_offices_and_only_from_draft(world):
    contract = make_contract(world)
    for outsider in (world.member_a, world.evaluator_x, world.procurement_y, world.operator):
        with pytest.raises(NotFound):
            services.contract_send_for_signature(actor=outsider, contract_id=contract.pk)
    services.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.PENDING_SIGNATURE
    with pytest.raises(InvalidTransition):
        services.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)


def test_sign_records_each_side_once_and_activates_when_both_have(world):
    contract = make_contract(world)
    with pytest.raises(Conflict):  # a draft is not signed
        services.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.0.0.2")
    services.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)
    for outsider in (world.member_b, world.evaluator_x, world.procurement_y):
        with pytest.raises(NotFound):
            services.contract_sign(actor=outsider, contract_id=contract.pk, ip=None)
    services.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.0.0.2")
    with pytest.raises(Conflict):
        services.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.0.0.2")
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.PENDING_SIGNATURE
    services.contract_sign(actor=world.head_x, contract_id=contract.pk, ip="10.0.0.1")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert (contract.office_signed_by, contract.office_signed_ip) == (world.head_x, "10.0.0.1")
    assert (contract.provider_signed_by, contract.provider_signed_ip) == (world.member_a, "10.0.0.2")
    assert contract.office_signed_at == contract.provider_signed_at == MONDAY


def test_recall_takes_a_contract_awaiting_signatures_back_to_draft_and_signatures_lapse(world):
    contract = make_contract(world)
    with pytest.raises(InvalidTransition):
        services.contract_recall(actor=world.procurement_x, contract_id=contract.pk)
    services.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)
    services.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.0.0.2")
    with pytest.raises(NotFound):
        services.contract_recall(actor=world.member_a, contract_id=contract.pk)
    services.contract_recall(actor=world.procurement_x, contract_id=contract.pk)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    assert contract.provider_signed_at is None and contract.provider_signed_by is None
    active = active_contract(world, title="已生效合同")
    with pytest.raises(InvalidTransition):
        services.contract_recall(actor=world.procurement_x, contract_id=active.pk)


def test_terminate_needs_the_head_or_an_operator_a_reason_and_an_active_contract(world):
    closed = []
    contract_closed.connect(lambda sender, contract, **kw: closed.append(contract.pk), weak=False,
                            dispatch_uid="test-terminate")
    try:
        contract = active_contract(world)
        for refused in (world.procurement_x, world.member_a):
            with pytest.raises(PermissionDenied):
                services.contract_terminate(actor=refused, contract_id=contract.pk, reason="违约")
        with pytest.raises(ValidationFailed):
            services.contract_terminate(actor=world.head_x, contract_id=contract.pk, reason=" ")
        draft = make_contract(world, title="草稿")
        with pytest.raises(InvalidTransition):
            services.contract_terminate(actor=world.head_x, contract_id=draft.pk, reason="取消")
        services.contract_terminate(actor=world.operator, contract_id=contract.pk, reason="多次未达服务指标")
        contract.refresh_from_db()
        assert contract.status == Contract.Status.TERMINATED and contract.termination_reason == "多次未达服务指标"
        assert contract.closed_at and closed == [contract.pk]
        with pytest.raises(InvalidTransition):
            services.contract_terminate(actor=world.head_x, contract_id=contract.pk, reason="再次")
    finally:
        contract_closed.disconnect(dispatch_uid="test-terminate")


def test_every_milestone_paid_completes_the_contract_once(world):
    contract = active_contract(world)
    for m in contract.milestones.order_by("sequence"):
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=m.pk, report="材料")
        services.milestone_accept(actor=world.procurement_x, milestone_id=m.pk)
        assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
        services.payment_record_offline(actor=world.procurement_x, payment_id=m.payment.pk, reference=f"ZZ{m.pk}")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED and contract.closed_at
    with pytest.raises(InvalidTransition):
        services.contract_terminate(actor=world.head_x, contract_id=contract.pk, reason="已完成")


# --- Milestone services --------------------------------------------------------------------------------------


def test_evidence_accept_reject_and_paid_allowed_and_refused(world):
    contract = active_contract(world)
    first = contract.milestones.order_by("sequence").first()
    # Only a submitted milestone is decided on.
    with pytest.raises(InvalidTransition):
        services.milestone_accept(actor=world.procurement_x, milestone_id=first.pk)
    with pytest.raises(InvalidTransition):
        services.milestone_reject(actor=world.procurement_x, milestone_id=first.pk, reason="太早")
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="材料")
    with pytest.raises(InvalidTransition):  # already submitted
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="又一份")
    # The provider does not decide; outsiders do not see it.
    with pytest.raises(NotFound):
        services.milestone_accept(actor=world.member_a, milestone_id=first.pk)
    with pytest.raises(NotFound):
        services.milestone_reject(actor=world.evaluator_x, milestone_id=first.pk, reason="x")
    with pytest.raises(NotFound):
        services.milestone_accept(actor=world.procurement_y, milestone_id=first.pk)
    # Reject: a reason, then straight back to scheduled.
    with pytest.raises(ValidationFailed):
        services.milestone_reject(actor=world.procurement_x, milestone_id=first.pk, reason=" ")
    services.milestone_reject(actor=world.procurement_x, milestone_id=first.pk, reason="缺少签到表")
    first.refresh_from_db()
    assert first.status == Milestone.Status.SCHEDULED and first.rejection_count == 1
    assert list(AuditEvent.objects.filter(object_id=str(first.pk), verb__startswith="milestone.")
                .order_by("pk").values_list("verb", flat=True)) == [
        "milestone.submit", "milestone.reject", "milestone.reschedule"]
    # Partial acceptance: an amount within the milestone's and a reason.
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="补充材料")
    for amount, reason in ((Decimal("0"), "x"), (first.amount + 1, "x"), ("abc", "x"), (Decimal("1000.00"), "")):
        with pytest.raises(ValidationFailed):
            services.milestone_accept(actor=world.procurement_x, milestone_id=first.pk, amount=amount, reason=reason)
    services.milestone_accept(actor=world.head_x, milestone_id=first.pk, amount=Decimal("20000.00"),
                              reason="服务人次未达标")
    first.refresh_from_db()
    assert first.status == Milestone.Status.ACCEPTED and first.accepted_amount == Decimal("20000.00")
    assert first.payment.amount == Decimal("20000.00") and first.payment.status == Payment.Status.PENDING
    with pytest.raises(InvalidTransition):
        services.milestone_reject(actor=world.procurement_x, milestone_id=first.pk, reason="改主意")
    services.payment_record_offline(actor=world.procurement_x, payment_id=first.payment.pk, reference="ZZ1")
    first.refresh_from_db()
    assert first.status == Milestone.Status.PAID
    with pytest.raises(InvalidTransition):
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="再交")


def test_evidence_and_decisions_wait_for_an_active_contract(world):
    draft = make_contract(world)
    with pytest.raises(Conflict):
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=draft.milestones.first().pk,
                                           report="材料")
