"""Writing and reading the audit log. Every state-changing service calls `audit_record` inside its transaction.

Verbs are stable codes (`organisation.verify`); people read them through `verb_label`, in their language.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

VERB_LABELS = {
    # Offices and organisations
    "office.create": _("Street office created"),
    "office.staff_add": _("Staff post added"),
    "organisation.apply": _("Application submitted"),
    "organisation.verify": _("Verified"),
    "organisation.reject": _("Application rejected"),
    "organisation.resubmit": _("Application resubmitted"),
    "organisation.suspend": _("Suspended"),
    "organisation.reinstate": _("Reinstated"),
    "organisation.remove": _("Removed from the platform"),
    "organisation.grade": _("Grade set"),
    "organisation.categories": _("Services offered changed"),
    "organisation.certificate": _("Certificate uploaded"),
    "organisation.update": _("Profile updated"),
    "membership.add": _("Member added"),
    "membership.invite": _("Member invited"),
    "membership.accept": _("Invitation accepted"),
    "membership.role": _("Member's role changed"),
    "membership.remove": _("Member removed"),
    "membership.leave": _("Member left"),
    "reputation.update": _("Rating updated"),
    # Tenders and bids
    "tender.create": _("Tender drafted"),
    "tender.update": _("Tender edited"),
    "tender.update_from_list": _("Tender updated from the purchase list"),
    "tender.publish": _("Tender published"),
    "tender.close": _("Tender closed"),
    "tender.evaluate": _("Evaluation started"),
    "tender.propose_award": _("Award proposed"),
    "tender.award": _("Tender awarded"),
    "tender.unsuccessful": _("Tender unsuccessful"),
    "tender.cancel": _("Tender cancelled"),
    "bid.save_draft": _("Bid draft saved"),
    "bid.submit": _("Bid submitted"),
    "bid.withdraw": _("Bid withdrawn"),
    "bid.supersede": _("Bid replaced"),
    "bid.open": _("Bid opened"),
    "bid.qualify": _("Bid qualified"),
    "bid.disqualify": _("Bid disqualified"),
    "bid.awarded": _("Bid awarded"),
    "bid.not_awarded": _("Bid not awarded"),
    # Contracts, payments and reviews
    "contract.create": _("Contract drafted"),
    "contract.plan": _("Milestone plan set"),
    "contract.send_for_signature": _("Contract sent for signature"),
    "contract.sign_office": _("Signed by the street office"),
    "contract.sign_provider": _("Signed by the organisation"),
    "contract.activate": _("Contract in force"),
    "contract.complete": _("Contract completed"),
    "contract.terminate": _("Contract terminated"),
    "milestone.submit": _("Evidence submitted"),
    "milestone.accept": _("Milestone accepted"),
    "milestone.reject": _("Milestone rejected"),
    "milestone.reschedule": _("Milestone rescheduled"),
    "milestone.paid": _("Milestone paid"),
    "payment.create": _("Payment due"),
    "payment.succeed": _("Payment made"),
    "tender.criteria": _("Evaluation criteria set"),
    "tender.document": _("Tender document uploaded"),
    "tender.reevaluate": _("Evaluation reopened after an upheld objection"),
    "clarification.ask": _("Question asked"),
    "clarification.answer": _("Question answered"),
    "objection.lodge": _("Objection lodged"),
    "objection.upheld": _("Objection upheld"),
    "objection.rejected": _("Objection rejected"),
    "panel.add": _("Evaluator added to the panel"),
    "panel.declare": _("No conflict of interest declared"),
    "bid.score": _("Bid scored"),
    "bid.attachment_add": _("File added to a bid draft"),
    "bid.attachment_remove": _("File removed from a bid draft"),
    "catalogue.category_import": _("Categories imported"),
    "catalogue.item_import": _("Service items imported"),
    "contract.document": _("Contract PDF generated"),
    "contract.recall": _("Contract recalled to draft"),
    "contract.vary": _("Contract varied"),
    "variation.propose": _("Variation proposed"),
    "variation.accept": _("Variation accepted"),
    "variation.reject": _("Variation rejected"),
    "variation.withdraw": _("Variation withdrawn"),
    "milestone.remind_evidence": _("Reminder: evidence overdue"),
    "milestone.remind_acceptance": _("Reminder: acceptance overdue"),
    "payment.process": _("Online payment started"),
    "payment.intent": _("Payment intent created"),
    "payment.fail": _("Payment failed"),
    "payment.refund": _("Payment refunded"),
    "payment.transfer": _("Payment transferred to the organisation"),
    "payout_account.create": _("Payout account created"),
    "payout_account.ready": _("Payout account ready"),
    "review.reply": _("Reply to a review posted"),
    "resident_rating.submit": _("Resident rating submitted"),
    "report.create": _("Review reported"),
    "report.hide": _("Reported text hidden"),
    "report.dismiss": _("Report dismissed"),
    "review.hide": _("Review text hidden"),
    "residentrating.hide": _("Resident rating text hidden"),
    "low_score_flag.close": _("Low-score flag closed"),
    "review_window.open": _("Review window opened"),
    "review.submit": _("Review submitted"),
    "review.publish": _("Reviews published"),
    "catalogue.office_folder": _("Purchase-list folder created"),
}


def verb_label(verb: str) -> str:
    """The verb in the reader's language; an unknown code is shown as it is rather than hidden."""
    return str(VERB_LABELS.get(verb, verb))


def audit_record(*, actor, verb: str, obj: models.Model, before: dict | None = None, after: dict | None = None):
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=str(actor)[:200] if actor is not None else "system",
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before or {},
        after=after or {},
    )



def audit_record_many(*, actor, verb: str, objs: list[models.Model], befores: list[dict], afters: list[dict]):
    """The audit events of one action on many rows of one model, in one INSERT."""
    if not objs:
        return []
    content_type = ContentType.objects.get_for_model(objs[0], for_concrete_model=False)
    actor_id = actor if getattr(actor, "pk", None) else None
    actor_repr = str(actor)[:200] if actor is not None else "system"
    return AuditEvent.objects.bulk_create(
        [AuditEvent(actor=actor_id, actor_repr=actor_repr, verb=verb, content_type=content_type,
                    object_id=str(obj.pk), object_repr=str(obj)[:200], before=before, after=after)
         for obj, before, after in zip(objs, befores, afters, strict=True)],
        batch_size=500,
    )

def audit_history(obj: models.Model):
    """The audit events of one object, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
    ).select_related("actor")
