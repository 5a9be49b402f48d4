"""Milestones: evidence (a report and files), acceptance (in full or in part), rejection, and overdue reminders."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.models import Membership, OfficeStaff, User
from marketplace.notifications import notify
from marketplace.statemachine import transition
from marketplace.uploads import stored_name, validate_upload

from ..models import Contract, Milestone, MilestoneEvidenceFile, Payment
from ..selectors import OFFICE_SIDE_ROLES, acceptance_cutoff, overdue_milestones_q
from ._common import _lock, _office_side, _provider_side


def _lock_milestone(pk: int) -> tuple[Milestone, Contract]:
    milestone = Milestone.objects.filter(pk=pk).first()
    if milestone is None:
        raise NotFound()
    contract = _lock(milestone.contract_id)
    return Milestone.objects.select_for_update().get(pk=pk), contract


def _check_files(files) -> list:
    """Every file checked by its content before anything is stored; the first problem names the file."""
    if len(files) > settings.CONTRACT_EVIDENCE_MAX_FILES:
        raise ValidationFailed(_("Attach at most %(n)d files at a time.") % {"n": settings.CONTRACT_EVIDENCE_MAX_FILES})
    kinds = []
    for f in files:
        try:
            kinds.append(validate_upload(f))
        except ValidationError as exc:
            raise ValidationFailed(f"{f.name}: {exc.messages[0]}", code=exc.code or "upload") from exc
    return kinds


@transaction.atomic
def milestone_submit_evidence(*, actor: User, milestone_id: int, report: str, files=()) -> Milestone:
    """The provider hands in a report and, optionally, files (PDF, JPEG, PNG), stored privately."""
    milestone, contract = _lock_milestone(milestone_id)
    if not _provider_side(actor, contract):
        raise NotFound()
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("Evidence is submitted while the contract is active."))
    if not report.strip():
        raise ValidationFailed(_("Describe what was delivered."))
    files = list(files)
    kinds = _check_files(files)
    now = timezone.now()
    milestone.evidence_report = report.strip()
    milestone.submitted_at = now
    milestone.first_submitted_at = milestone.first_submitted_at or now
    milestone.acceptance_reminded_at = None  # a new submission gets its own reminder if it waits too long
    transition(milestone, Milestone.Status.SUBMITTED, actor=actor, verb="milestone.submit",
               fields=["evidence_report", "submitted_at", "first_submitted_at", "acceptance_reminded_at"],
               note={"files": [f.name for f in files]})
    for f, kind in zip(files, kinds, strict=True):
        evidence = MilestoneEvidenceFile(milestone=milestone, original_name=f.name[:200], size=f.size,
                                         uploaded_by=actor)
        evidence.file.save(stored_name("evidence", f, kind), f, save=False)
        evidence.save()
    return milestone


@transaction.atomic
def milestone_accept(*, actor: User, milestone_id: int, amount: Decimal | None = None, reason: str = "") -> Milestone:
    """Accept in full, or in part with an amount and a reason. A payment for the accepted amount is created."""
    milestone, contract = _lock_milestone(milestone_id)
    if not _office_side(actor, contract):
        raise NotFound()
    try:
        amount = milestone.amount if amount is None else Decimal(amount)
    except ArithmeticError as exc:
        raise ValidationFailed(_("Enter the accepted amount as a number, for example 12000.00.")) from exc
    if not amount.is_finite() or amount <= 0 or amount > milestone.amount:
        raise ValidationFailed(_("The accepted amount must be above zero and at most ¥%(amount)s.")
                               % {"amount": f"{milestone.amount:,.2f}"})
    if amount < milestone.amount and not reason.strip():
        raise ValidationFailed(_("A partial acceptance needs a reason."))
    milestone.accepted_amount = amount
    milestone.decision_reason = reason.strip()
    milestone.decided_at = timezone.now()
    transition(milestone, Milestone.Status.ACCEPTED, actor=actor, verb="milestone.accept",
               fields=["accepted_amount", "decision_reason", "decided_at"], note={"amount": amount})
    payment = Payment.objects.create(milestone=milestone, amount=amount)
    audit_record(actor=actor, verb="payment.create", obj=payment, after={"amount": amount})
    return milestone


@transaction.atomic
def milestone_reject(*, actor: User, milestone_id: int, reason: str) -> Milestone:
    milestone, contract = _lock_milestone(milestone_id)
    if not _office_side(actor, contract):
        raise NotFound()
    if not reason.strip():
        raise ValidationFailed(_("Give the reason for rejecting the evidence."))
    milestone.decision_reason = reason.strip()
    milestone.rejection_count += 1
    transition(milestone, Milestone.Status.REJECTED, actor=actor, verb="milestone.reject",
               fields=["decision_reason", "rejection_count"], note={"reason": milestone.decision_reason})
    return transition(milestone, Milestone.Status.SCHEDULED, actor=actor, verb="milestone.reschedule")


def _provider_people(contract: Contract):
    return User.objects.filter(pk__in=Membership.objects.filter(organisation_id=contract.provider_id)
                               .values("user_id"))


def _office_people(contract: Contract):
    return User.objects.filter(pk__in=OfficeStaff.objects.filter(office_id=contract.office_id,
                                                                  role__in=OFFICE_SIDE_ROLES).values("user_id"))


def milestones_remind_overdue() -> int:
    """Beat (daily): remind the provider of evidence past its due date, and the office of evidence waiting longer
    than the acceptance period. Each reminder goes out once: the claim on `*_reminded_at` is the guard, so two
    workers running at once send it once. Returns the number of reminders sent."""
    now = timezone.now()
    late_evidence, late_acceptance = overdue_milestones_q(today=timezone.localdate(now), cutoff=acceptance_cutoff(now))
    sent = 0
    for kind, late, field, template, people in (
        ("evidence", late_evidence, "submission_reminded_at", "contracts/milestone_evidence_overdue", _provider_people),
        ("acceptance", late_acceptance, "acceptance_reminded_at", "contracts/milestone_acceptance_overdue",
         _office_people),
    ):
        due = Milestone.objects.filter(late, **{f"{field}__isnull": True}).select_related("contract")
        for milestone in due:
            with transaction.atomic():
                if not Milestone.objects.filter(pk=milestone.pk, **{f"{field}__isnull": True}).update(**{field: now}):
                    continue
                contract = milestone.contract
                notify(users=people(contract), template=template, context={
                    "contract_id": contract.pk, "contract_title": contract.title, "sequence": milestone.sequence,
                    "milestone_title": milestone.title, "due_on": milestone.due_on.isoformat(),
                    "submitted_on": timezone.localdate(milestone.submitted_at).isoformat()
                    if milestone.submitted_at else "",
                })
                audit_record(actor=None, verb=f"milestone.remind_{kind}", obj=milestone, after={field: now})
                sent += 1
    return sent
