"""The Django admin of tendering, for platform operators: read-only oversight that keeps bids sealed.

Operators may look at tenders and bids, never change them (state changes go through bids.services). A bid's
price and proposal show only once the bid has been opened at the deadline; before that, and for versions that
were never opened (drafts, replaced or withdrawn bids), the admin shows "sealed" instead. Nothing that reveals
them is searchable, filterable or sortable.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Bid, Criterion, PanelMember, Tender
from .selectors import OPENED_STATUSES


def _sealed_text(bid: Bid) -> str:
    deadline = bid.tender.submission_deadline
    if bid.tender.bids_are_sealed and deadline:
        return _("Sealed until %(deadline)s") % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
    return _("Sealed: this version was never opened")


def bid_is_open(bid: Bid) -> bool:
    """The admin shows a bid's content only after it was opened at the deadline."""
    return bid.status in OPENED_STATUSES and bid.opened_at is not None


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    """The price and proposal columns, masked until the bid is opened."""

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


class BidInline(SealedBidFields, ReadOnlyInline):
    model = Bid
    fk_name = "tender"
    fields = ("organisation", "version", "status", "submitted_at", "sealed_price", "digest_verified")
    readonly_fields = fields
    ordering = ("submitted_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tender", "organisation")


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
    # No price or proposal in search, filters or ordering: each would let a query probe a sealed value.
    list_display = ("__str__", "status", "submitted_at", "sealed_price")
    list_filter = ("status", "tender__status")
    search_fields = ("tender__title", "organisation__name")
    list_select_related = ("tender", "organisation")
    sortable_by = ("status", "submitted_at")
    fields = (
        "tender", "organisation", "version", "status", "created_by", "submitted_at", "receipt_digest",
        "sealed_price", "sealed_proposal", "opened_at", "digest_verified", "disqualification_reason",
    )
    readonly_fields = fields
