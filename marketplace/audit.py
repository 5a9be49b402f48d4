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


def audit_history(obj: models.Model):
    """The audit events of one object, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), object_id=str(obj.pk)
    ).select_related("actor")
