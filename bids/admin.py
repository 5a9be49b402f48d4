"""The Django admin of tendering, for platform operators: read-only oversight that keeps bids sealed.

Operators may look at tenders and bids, never change them (state changes go through bids.services). Before the
deadline the admin knows of no bid at all: not who bid, not how many, not a status or an audit event (the lists
start from `selectors.bids_past_deadline`). After it, a bid's price, proposal, responses, files, receipt digest and
submission time show only once the bid has been opened; for versions that were never opened (drafts, replaced or
withdrawn bids) the admin shows "sealed" instead, for good. Nothing sealed is searchable, filterable or sortable, by
any path from any admin: `seal()` below declares it and marketplace.admin_sealing enforces it.
"""

import json

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.admin import AuditEventAdmin
from marketplace.admin_sealing import ReadOnlyPermissions, SealedLookupsAdmin, seal
from marketplace.models import AuditEvent

from .models import Bid, BidAttachment, BidResponse, Criterion, PanelMember, Score, Tender
from .selectors import OPENED_STATUSES, bids_past_deadline, sealed_bid_ids

# Everything else a bid holds is sealed: price, proposal, responses, files, scores, digest, nonce and exact times.
seal(Bid, open_fields=("status", "tender", "organisation", "version", "created_by", "opened_at", "digest_verified",
                       "disqualification_reason"))
seal(BidResponse)
seal(BidAttachment)
seal(Score)


def _sealed_text(bid: Bid) -> str:
    deadline = bid.tender.submission_deadline
    if bid.tender.bids_are_sealed and deadline:
        return _("Sealed until %(deadline)s") % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
    return _("Sealed: this version was never opened")


def bid_is_open(bid: Bid) -> bool:
    """The admin shows a bid's content only after it was opened at the deadline."""
    return bid.status in OPENED_STATUSES and bid.opened_at is not None


class ReadOnlyAdmin(ReadOnlyPermissions, SealedLookupsAdmin):
    actions = None


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SealedBidFields:
    """The price, proposal, responses, files, receipt digest and submission time, masked until the bid is opened."""

    @admin.display(description=_("submitted at"))
    def sealed_submitted_at(self, bid: Bid) -> str:
        if not bid_is_open(bid):
            return _sealed_text(bid)
        return timezone.localtime(bid.submitted_at).strftime("%Y-%m-%d %H:%M:%S.%f") if bid.submitted_at else "—"

    @admin.display(description=_("receipt digest (SHA-256)"))
    def sealed_digest(self, bid: Bid) -> str:
        """Only the bidder holds the digest before opening: with the time it would let a price be guessed."""
        if not bid_is_open(bid):
            return _sealed_text(bid)
        return bid.receipt_digest

    @admin.display(description=_("price"))
    def sealed_price(self, bid: Bid) -> str:
        if not bid_is_open(bid):
            return _sealed_text(bid)
        return f"¥{bid.price:,.2f}" if bid.price is not None else "—"

    @admin.display(description=_("proposal"))
    def sealed_proposal(self, bid: Bid) -> str:
        if not bid_is_open(bid):
            return _sealed_text(bid)
        return bid.proposal

    @admin.display(description=_("responses to criteria"))
    def sealed_responses(self, bid: Bid) -> str:
        if not bid_is_open(bid):
            return _sealed_text(bid)
        return "\n\n".join(f"{r.criterion.name}: {r.text}" for r in bid.responses.select_related("criterion"))

    @admin.display(description=_("files"))
    def sealed_files(self, bid: Bid) -> str:
        """Names and SHA-256 only: the files themselves are served by the bids pages, to those who may see them."""
        if not bid_is_open(bid):
            return _sealed_text(bid)
        return "\n".join(f"{a.original_name} ({a.size} B, SHA-256 {a.sha256})" for a in bid.attachments.all())


class BidInline(SealedBidFields, ReadOnlyInline):
    model = Bid
    fk_name = "tender"
    fields = ("organisation", "version", "status", "sealed_submitted_at", "sealed_price", "digest_verified")
    readonly_fields = fields
    ordering = ("organisation", "-version")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=bids_past_deadline().values("pk")).select_related(
            "tender", "organisation")


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ("name", "weight")
    readonly_fields = fields
    show_change_link = False


class PanelInline(ReadOnlyInline):
    model = PanelMember
    fk_name = "tender"
    fields = ("evaluator", "declared_at")
    readonly_fields = fields
    show_change_link = False


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ("title", "office", "status", "method", "budget_ceiling", "submission_deadline", "published_at")
    list_filter = ("status", "method", "office")
    search_fields = ("title", "office__name")
    date_hierarchy = "published_at"
    fields = (
        "title", "office", "category", "description", "quantity", "unit", "budget_ceiling", "method",
        "price_weight", "min_bids", "allow_registered", "allow_filed", "min_grade", "filed_budget_threshold",
        "clarification_deadline", "submission_deadline", "status", "published_at", "closed_at", "awarded_bid",
        "award_justification", "standstill_ends_at", "awarded_at", "public_reason",
    )
    readonly_fields = fields
    inlines = [CriterionInline, PanelInline, BidInline]


@admin.register(Bid)
class BidAdmin(SealedBidFields, ReadOnlyAdmin):
    # Searches, filters and orderings use open fields only (see `seal` above); sealed ones are a 400.
    list_display = ("__str__", "status", "sealed_submitted_at", "sealed_price")
    list_filter = ("status", "tender__status")
    search_fields = ("tender__title", "organisation__name")
    list_select_related = ("tender", "organisation")
    sortable_by = ("status",)
    ordering = ("tender", "organisation", "-version")
    fields = (
        "tender", "organisation", "version", "status", "created_by", "sealed_submitted_at", "sealed_digest",
        "sealed_price", "sealed_proposal", "sealed_responses", "sealed_files", "opened_at", "digest_verified",
        "disqualification_reason",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        """No bid of a tender before its deadline: not its row, not its count, not its change or history page."""
        return super().get_queryset(request).filter(pk__in=bids_past_deadline().values("pk"))


# --- The audit log, with sealed bids' event data masked ---------------------------------------------------


admin.site.unregister(AuditEvent)


@admin.register(AuditEvent)
class SealedAuditEventAdmin(AuditEventAdmin):
    """The audit log of marketplace.admin without the events of bids on tenders before their deadline (who bid,
    when, how many), and where the data of a bid's events (file names, notes, the digest) stays sealed until the bid
    is opened. marketplace cannot know about bids, so the masking lives here."""

    fields = ("created_at", "actor", "actor_repr", "verb", "content_type", "object_id", "object_repr",
              "shown_before", "shown_after")
    readonly_fields = fields

    # A bid's events whose data may show once the bid is opened. Draft-time events (saving, adding or removing
    # files) stay sealed for good: they describe drafts and copied files that were never opened.
    opened_verbs = frozenset({"bid.submit", "bid.supersede", "bid.withdraw", "bid.open", "bid.qualify",
                              "bid.disqualify", "bid.awarded", "bid.not_awarded", "bid.score"})

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(content_type=ContentType.objects.get_for_model(Bid),
                                                     object_id__in=sealed_bid_ids())

    def _sealed_bid(self, event: AuditEvent) -> Bid | None | bool:
        """False when the event's data may show; otherwise the bid (or None) to word the mask with."""
        if event.content_type_id != ContentType.objects.get_for_model(Bid).pk:
            return False
        bid = Bid.objects.select_related("tender").filter(pk=event.object_id).first()
        if bid is not None and bid_is_open(bid) and event.verb in self.opened_verbs:
            return False
        return bid

    def _shown(self, event: AuditEvent, data: dict) -> str:
        sealed = self._sealed_bid(event)
        if sealed is not False:
            if sealed is not None and bid_is_open(sealed):
                return _("Sealed: what a draft held is never shown")
            return _sealed_text(sealed) if sealed is not None else _("Sealed: this version was never opened")
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str)

    @admin.display(description=_("before"))
    def shown_before(self, event: AuditEvent) -> str:
        return self._shown(event, event.before)

    @admin.display(description=_("after"))
    def shown_after(self, event: AuditEvent) -> str:
        return self._shown(event, event.after)

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP)[0] in ("before", "after"):  # no probing of event data through the URL
            return False
        return super().lookup_allowed(lookup, value, request)
