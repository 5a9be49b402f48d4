"""Clarifications (答疑): bidders ask before the clarification deadline; the office answers in public."""

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import policy
from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import Membership, Organisation, User
from marketplace.notifications import notify

from ..models import Bid, Clarification, Tender
from .tenders import _lock_tender, closes_due_tender_first


@closes_due_tender_first
def clarification_ask(*, actor: User, tender_id: int, organisation: Organisation, question: str) -> Clarification:
    tender = _lock_tender(tender_id)
    if not policy.is_member(actor, organisation.pk):
        raise PermissionDenied(_("You are not a member of this organisation."))
    if tender.status != Tender.Status.PUBLISHED:
        raise Conflict(_("Questions are asked while the tender is open."))
    if tender.clarification_deadline and timezone.now() >= tender.clarification_deadline:
        raise Conflict(_("The clarification deadline has passed."), code="clarification_closed")
    if not question.strip():
        raise ValidationFailed(_("Write your question."))
    item = Clarification.objects.create(tender=tender, organisation=organisation, asked_by=actor,
                                        question=question.strip())
    audit_record(actor=actor, verb="clarification.ask", obj=tender, after={"clarification": item.pk})
    return item


@closes_due_tender_first
def clarification_answer(*, actor: User, clarification_id: int, answer: str) -> Clarification:
    item = Clarification.objects.filter(pk=clarification_id).first()
    if item is None:
        raise NotFound()
    tender = _lock_tender(item.tender_id)
    if not policy.can_run_procurement(actor, tender.office_id):
        raise NotFound()
    if not answer.strip():
        raise ValidationFailed(_("Write the answer."))
    item.answer, item.answered_by, item.answered_at = answer.strip(), actor, timezone.now()
    item.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(actor=actor, verb="clarification.answer", obj=tender, after={"clarification": item.pk})
    # Everyone who asked or is preparing a bid hears of it; the answer itself is public on the tender page.
    orgs = set(Bid.objects.filter(tender=tender).values_list("organisation_id", flat=True))
    orgs |= set(tender.clarifications.values_list("organisation_id", flat=True))
    users = User.objects.filter(pk__in=Membership.objects.filter(organisation_id__in=orgs).values("user_id"))
    notify(users=users, template="bids/clarification_answered",
           context={"tender_id": tender.pk, "tender_title": tender.title})
    return item
