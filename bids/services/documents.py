"""Files of tendering: the tender document (招标文件) and the bids' attachments, with their SHA-256.

Every file goes through `marketplace.uploads.validate_upload`, is stored privately under a random name and is
served only by a permission-checked view. A bid's files can change only while the bid is a draft and the
tender is open; a replacement version copies them (sharing the stored file) so the bidder starts from them.
"""

import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.models import User
from marketplace.uploads import FileKind, stored_name, validate_upload

from ..models import Bid, BidAttachment, Tender
from .tenders import (
    _lock_tender,
    _require_bidder,
    _require_open,
    _require_procurement,
    closes_due_tender_first,
    file_sha256,
)

MAX_BID_ATTACHMENTS = 20


def _checked(file) -> FileKind:
    try:
        return validate_upload(file)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code=exc.code or "upload") from exc


def _original_name(file) -> str:
    name = os.path.basename(getattr(file, "name", "") or "")
    return name[-200:] if name else "file"


def _delete_when_unreferenced(storage, name: str) -> None:
    """After commit, delete a stored file that no row refers to any more (copies share their file)."""

    def delete():
        in_use = (BidAttachment.objects.filter(file=name).exists()
                  or Tender.objects.filter(document=name).exists())
        if not in_use:
            storage.delete(name)

    transaction.on_commit(delete)


# --- The tender document --------------------------------------------------------------------------


@transaction.atomic
def tender_document_attach(*, actor: User, tender_id: int, document) -> Tender:
    """Upload or replace the tender document (a PDF). Only a draft's: after publication the document is fixed,
    and changes are published as clarifications, so every bidder reads the same document."""
    tender = Tender.objects.select_for_update().filter(pk=tender_id).first()
    if tender is None:
        raise NotFound()
    _require_procurement(actor, tender)
    if tender.status != Tender.Status.DRAFT:
        raise Conflict(_("The tender document is fixed once the tender is published. Publish changes as "
                         "answers to clarifications."), code="document_fixed")
    kind = _checked(document)
    if kind.code != "pdf":
        raise ValidationFailed(_("The tender document must be a PDF file."), code="document_not_pdf")
    old = tender.document.name if tender.document else ""
    tender.document_sha256 = file_sha256(document)
    tender.document_size = document.size
    tender.document_name = _original_name(document)
    tender.document.save(stored_name("tenders", document, kind), document, save=False)
    tender.save(update_fields=["document", "document_name", "document_sha256", "document_size", "updated_at"])
    audit_record(actor=actor, verb="tender.document", obj=tender,
                 after={"name": tender.document_name, "sha256": tender.document_sha256, "replaced": bool(old)})
    if old:
        _delete_when_unreferenced(tender.document.storage, old)
    return tender


# --- Bid attachments ------------------------------------------------------------------------------


def _lock_draft(actor: User, bid_id: int, arrived_at=None) -> Bid:
    """The bid, locked, for a change of its files: the bidder's own draft, on a tender open when the request
    arrived (`arrived_at`, default now)."""
    bid = Bid.objects.select_related("organisation").filter(pk=bid_id).first()
    if bid is None:
        raise NotFound()
    _require_bidder(actor, bid.organisation)
    tender = _lock_tender(bid.tender_id)
    _require_open(tender, arrived_at)
    bid = Bid.objects.select_for_update().get(pk=bid_id)
    if bid.status != Bid.Status.DRAFT:
        raise Conflict(_("Files can be changed only on a draft bid. Prepare a replacement bid to change them."),
                       code="not_draft")
    return bid


@closes_due_tender_first
def bid_attachment_add(*, actor: User, bid_id: int, file, arrived_at=None) -> BidAttachment:
    bid = _lock_draft(actor, bid_id, arrived_at)
    kind = _checked(file)
    if bid.attachments.count() >= MAX_BID_ATTACHMENTS:
        raise ValidationFailed(_("A bid can hold at most %(count)d files.") % {"count": MAX_BID_ATTACHMENTS},
                               code="too_many_files")
    attachment = BidAttachment(bid=bid, original_name=_original_name(file), size=file.size,
                               sha256=file_sha256(file), uploaded_by=actor)
    attachment.file.save(stored_name("bids", file, kind), file, save=False)
    attachment.save()
    # A file's name is sealed content; the audit log, which operators read, keeps only its id and digest.
    audit_record(actor=actor, verb="bid.attachment_add", obj=bid,
                 after={"attachment": attachment.pk, "sha256": attachment.sha256})
    return attachment


@closes_due_tender_first
def bid_attachment_remove(*, actor: User, bid_id: int, attachment_id: int, arrived_at=None) -> Bid:
    bid = _lock_draft(actor, bid_id, arrived_at)
    attachment = BidAttachment.objects.filter(pk=attachment_id, bid=bid).first()
    if attachment is None:
        raise NotFound()
    storage, name = attachment.file.storage, attachment.file.name
    audit_record(actor=actor, verb="bid.attachment_remove", obj=bid,
                 after={"attachment": attachment.pk, "sha256": attachment.sha256})
    attachment.delete()
    _delete_when_unreferenced(storage, name)
    return bid
