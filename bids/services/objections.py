"""Objections (质疑) during the standstill, and the office's answers."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import policy
from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import Membership, Organisation, User
from marketplace.notifications import notify
from marketplace.statemachine import transition
from marketplace.uploads import stored_name, validate_upload

from ..models import Bid, Objection, Tender
from .tenders import _lock_tender, closes_due_tender_first


@closes_due_tender_first
def objection_lodge(*, actor: User, tender_id: int, organisation: Organisation, grounds: str,
                    document=None) -> Objection:
    """A bidder whose bid was opened may object while the award notice stands."""
    tender = _lock_tender(tender_id)
    if not policy.is_member(actor, organisation.pk):
        raise PermissionDenied(_("You are not a member of this organisation."))
    if not Bid.objects.filter(tender=tender, organisation=organisation, opened_at__isnull=False).exists():
        raise PermissionDenied(_("Only bidders on this tender may lodge an objection."))
    if tender.status != Tender.Status.STANDSTILL or timezone.now() >= tender.standstill_ends_at:
        raise Conflict(_("Objections are lodged during the award notice period."), code="standstill_over")
    if not grounds.strip():
        raise ValidationFailed(_("State the grounds of the objection."))
    objection = Objection(tender=tender, organisation=organisation, lodged_by=actor, grounds=grounds.strip())
    if document is not None:
        try:
            kind = validate_upload(document)
        except ValidationError as exc:
            raise ValidationFailed(exc.messages[0], code=exc.code or "upload") from exc
        objection.document.save(stored_name("objections", document, kind), document, save=False)
    objection.save()
    audit_record(actor=actor, verb="objection.lodge", obj=tender, after={"objection": objection.pk})
    return objection


@closes_due_tender_first
def objection_answer(*, actor: User, objection_id: int, upheld: bool, answer: str,
                     cancel_tender: bool = False) -> Objection:
    """Upheld: the tender goes back to evaluation (or is cancelled). Rejected: the award stands."""
    objection = Objection.objects.filter(pk=objection_id).first()
    if objection is None:
        raise NotFound()
    tender = _lock_tender(objection.tender_id)
    if not policy.can_approve(actor, tender.office_id):
        raise NotFound()
    if not answer.strip():
        raise ValidationFailed(_("Write the answer to the objection."))
    objection = Objection.objects.select_for_update().get(pk=objection_id)
    objection.answer, objection.answered_by, objection.answered_at = answer.strip(), actor, timezone.now()
    target = Objection.Status.UPHELD if upheld else Objection.Status.REJECTED
    transition(objection, target, actor=actor, verb=f"objection.{target}",
               fields=["answer", "answered_by", "answered_at"])
    if upheld and tender.status == Tender.Status.STANDSTILL:
        if cancel_tender:
            tender.public_reason = answer.strip()
            transition(tender, Tender.Status.CANCELLED, actor=actor, verb="tender.cancel", fields=["public_reason"])
        else:
            tender.awarded_bid, tender.standstill_ends_at, tender.award_justification = None, None, ""
            transition(tender, Tender.Status.EVALUATING, actor=actor, verb="tender.reevaluate",
                       fields=["awarded_bid", "standstill_ends_at", "award_justification"])
    members = User.objects.filter(pk__in=Membership.objects.filter(organisation=objection.organisation)
                                  .values("user_id"))
    notify(users=members, template="bids/objection_answered",
           context={"tender_id": tender.pk, "tender_title": tender.title, "upheld": upheld})
    return objection


def has_pending_objection(tender: Tender) -> bool:
    return tender.objections.filter(status=Objection.Status.SUBMITTED).exists()
