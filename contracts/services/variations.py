"""Contract variations (合同变更): one party proposes a new value, term or milestone plan; the other party accepts
(and the contract changes, with a new PDF version) or rejects it; the proposer may withdraw it. History is kept."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import User
from marketplace.statemachine import transition

from ..models import Contract, ContractVariation, Milestone
from ._common import _lock, _office_side, _provider_side
from .contracts import _queue_document, milestone_plan_problems


def _side(actor, contract) -> str:
    if _office_side(actor, contract):
        return ContractVariation.Side.OFFICE
    if _provider_side(actor, contract):
        return ContractVariation.Side.PROVIDER
    raise NotFound()


def _row(m) -> dict:
    return {"id": m.get("id"), "title": m["title"], "due_on": m["due_on"].isoformat(), "amount": f"{m['amount']:.2f}"}


def _snapshot(contract: Contract) -> dict:
    return {
        "value": f"{contract.value:.2f}", "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
        "milestones": [_row({"id": m.pk, "title": m.title, "due_on": m.due_on, "amount": m.amount})
                       for m in contract.milestones.order_by("sequence")],
    }


def _parse(after: dict) -> tuple[Decimal, dt.date, dt.date, list[dict]]:
    plan = [{"id": m["id"], "title": m["title"], "due_on": dt.date.fromisoformat(m["due_on"]),
             "amount": Decimal(m["amount"])} for m in after["milestones"]]
    return (Decimal(after["value"]), dt.date.fromisoformat(after["starts_on"]), dt.date.fromisoformat(after["ends_on"]),
            plan)


def variation_problems(*, contract: Contract, value: Decimal, starts_on: dt.date, ends_on: dt.date,
                       plan: list[dict]) -> list[str]:
    """What stands against this new value, term and plan, given the milestones as they are now."""
    if value <= 0:
        return [_("The contract value must be above zero.")]
    if ends_on <= starts_on:
        return [_("The term must end after it starts.")]
    problems = []
    current = {m.pk: m for m in contract.milestones.all()}
    ids = [m["id"] for m in plan if m.get("id")]
    if len(ids) != len(set(ids)) or not set(ids) <= set(current):
        return [_("The milestone plan names a milestone that is not part of this contract.")]
    rows = {m["id"]: m for m in plan if m.get("id")}
    for pk, milestone in current.items():
        row = rows.get(pk)
        if milestone.status in Milestone.LOCKED_STATUSES:
            if row is None or (row["title"], row["due_on"], Decimal(row["amount"])) != (
                    milestone.title, milestone.due_on, milestone.amount):
                problems.append(_("Milestone %(n)d is %(status)s and cannot change.")
                                % {"n": milestone.sequence, "status": milestone.get_status_display()})
        elif row is None and milestone.first_submitted_at is not None:
            problems.append(_("Milestone %(n)d already has evidence and cannot be removed.")
                            % {"n": milestone.sequence})
    return problems + milestone_plan_problems(value=value, starts_on=starts_on, ends_on=ends_on, plan=plan)


@transaction.atomic
def contract_variation_propose(*, actor: User, contract_id: int, reason: str, value: Decimal, starts_on: dt.date,
                               ends_on: dt.date, plan: list[dict]) -> ContractVariation:
    """`plan` is the complete new milestone plan: rows with the `id` of a milestone they keep (or none for a new
    one), a title, a due date and an amount. Accepted, submitted and paid milestones must stay as they are."""
    contract = _lock(contract_id)
    side = _side(actor, contract)
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("A variation can be proposed only while the contract is active."))
    if contract.variations.filter(status=ContractVariation.Status.PROPOSED).exists():
        raise Conflict(_("A variation is already waiting for an answer; withdraw it or wait for the decision."))
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for the variation."))
    problems = variation_problems(contract=contract, value=value, starts_on=starts_on, ends_on=ends_on, plan=plan)
    if problems:
        raise ValidationFailed(problems[0], reasons=problems)
    before = _snapshot(contract)
    after = {"value": f"{value:.2f}", "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
             "milestones": [_row(m) for m in plan]}
    if after == before:
        raise ValidationFailed(_("The variation changes nothing in the contract."))
    number = contract.variations.count() + 1
    variation = ContractVariation.objects.create(contract=contract, number=number, proposed_side=side,
                                                 proposed_by=actor, reason=reason.strip(), before=before, after=after)
    audit_record(actor=actor, verb="variation.propose", obj=variation, after={"side": side, **after})
    return variation


def _lock_variation(pk: int, actor) -> tuple[ContractVariation, Contract, str]:
    variation = ContractVariation.objects.filter(pk=pk).first()
    if variation is None:
        raise NotFound()
    contract = _lock(variation.contract_id)
    side = _side(actor, contract)
    return ContractVariation.objects.select_for_update().get(pk=pk), contract, side


def _apply(contract: Contract, after: dict) -> None:
    value, starts_on, ends_on, plan = _parse(after)
    kept = {m["id"] for m in plan if m["id"]}
    contract.milestones.exclude(pk__in=kept).delete()
    # Sequences are unique per contract: park the kept ones out of the way before numbering the new plan.
    for offset, pk in enumerate(kept, start=1):
        Milestone.objects.filter(pk=pk).update(sequence=1000 + offset)
    for n, m in enumerate(plan, start=1):
        fields = {"sequence": n, "title": m["title"], "due_on": m["due_on"], "amount": m["amount"]}
        if m["id"]:
            Milestone.objects.filter(pk=m["id"]).update(**fields)
        else:
            Milestone.objects.create(contract=contract, **fields)
    contract.value, contract.starts_on, contract.ends_on = value, starts_on, ends_on
    contract.save(update_fields=["value", "starts_on", "ends_on"])


@transaction.atomic
def contract_variation_accept(*, actor: User, variation_id: int, ip: str | None) -> ContractVariation:
    """The other party accepts: the person, time and IP are recorded, the change applies, and a new PDF follows."""
    variation, contract, side = _lock_variation(variation_id, actor)
    if variation.status != ContractVariation.Status.PROPOSED:
        raise Conflict(_("This variation has already been decided."))
    if side == variation.proposed_side:
        raise PermissionDenied(_("The other party accepts or rejects a variation."))
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("A variation can be accepted only while the contract is active."))
    value, starts_on, ends_on, plan = _parse(variation.after)
    # Milestones may have moved on since the proposal (evidence submitted, accepted): check again.
    problems = variation_problems(contract=contract, value=value, starts_on=starts_on, ends_on=ends_on, plan=plan)
    if problems:
        raise Conflict(_("The contract has changed since this variation was proposed: %(problem)s")
                       % {"problem": problems[0]}, reasons=problems)
    variation.decided_by, variation.decided_at, variation.decided_ip = actor, timezone.now(), ip
    transition(variation, ContractVariation.Status.ACCEPTED, actor=actor, verb="variation.accept",
               fields=["decided_by", "decided_at", "decided_ip"], note={"ip": ip})
    _apply(contract, variation.after)
    audit_record(actor=actor, verb="contract.vary", obj=contract, before=variation.before,
                 after={"variation": variation.number, **variation.after})
    _queue_document(contract)
    return variation


@transaction.atomic
def contract_variation_reject(*, actor: User, variation_id: int, reason: str, ip: str | None = None
                              ) -> ContractVariation:
    variation, contract, side = _lock_variation(variation_id, actor)
    if variation.status != ContractVariation.Status.PROPOSED:
        raise Conflict(_("This variation has already been decided."))
    if side == variation.proposed_side:
        raise PermissionDenied(_("The other party accepts or rejects a variation."))
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for rejecting the variation."))
    variation.decided_by, variation.decided_at, variation.decided_ip = actor, timezone.now(), ip
    variation.decision_reason = reason.strip()
    return transition(variation, ContractVariation.Status.REJECTED, actor=actor, verb="variation.reject",
                      fields=["decided_by", "decided_at", "decided_ip", "decision_reason"],
                      note={"reason": variation.decision_reason})


@transaction.atomic
def contract_variation_withdraw(*, actor: User, variation_id: int) -> ContractVariation:
    variation, contract, side = _lock_variation(variation_id, actor)
    if variation.status != ContractVariation.Status.PROPOSED:
        raise Conflict(_("This variation has already been decided."))
    if side != variation.proposed_side:
        raise PermissionDenied(_("Only the party that proposed a variation can withdraw it."))
    variation.decided_by, variation.decided_at = actor, timezone.now()
    return transition(variation, ContractVariation.Status.WITHDRAWN, actor=actor, verb="variation.withdraw",
                      fields=["decided_by", "decided_at"])

