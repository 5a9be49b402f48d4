"""Reads with rules for tendering. Sealing lives here: before the deadline no selector returns another
organisation's bid to anyone, office staff and operators included."""

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from marketplace import policy
from marketplace.errors import NotFound

from .filters import TenderFilter
from .models import Bid, BidAttachment, Objection, PanelMember, Tender


def tender_filterset(*, filters=None) -> TenderFilter:
    qs = Tender.objects.filter(status__in=Tender.PUBLIC_STATUSES).select_related("office", "category")
    return TenderFilter(filters or {}, queryset=qs.order_by("-published_at", "-id"))


def award_list() -> QuerySet[Tender]:
    return (
        Tender.objects.filter(status__in=(Tender.Status.STANDSTILL, Tender.Status.AWARDED))
        .select_related("office", "awarded_bid__organisation")
        .order_by("-standstill_ends_at", "-id")
    )


def tender_get_public(*, pk: int) -> Tender:
    tender = Tender.objects.select_related("office", "category", "awarded_bid__organisation").filter(pk=pk).first()
    if tender is None or not tender.is_public:
        raise NotFound()
    return tender


def tender_get_for_office(*, user, pk: int) -> Tender:
    """The office's working view of a tender: its procurement officers, heads and evaluators only."""
    tender = Tender.objects.select_related("office", "category", "awarded_bid").filter(pk=pk).first()
    if tender is None or not policy.has_office_role(user, tender.office_id):
        raise NotFound()
    return tender


def office_tender_list(*, user) -> QuerySet[Tender]:
    return (
        Tender.objects.filter(office_id__in=policy.principal(user).office_ids)
        .select_related("office")
        .order_by("status", "-id")
    )


def own_bids(*, user, tender: Tender) -> QuerySet[Bid]:
    """The bids of the user's own organisations on this tender, every version, newest first."""
    return (
        Bid.objects.filter(tender=tender, organisation_id__in=policy.principal(user).organisation_ids)
        .select_related("organisation")
        .order_by("organisation_id", "-version")
    )


def bid_get_for_member(*, user, pk: int) -> Bid:
    bid = Bid.objects.select_related("tender", "organisation").filter(pk=pk).first()
    if bid is None or not policy.is_member(user, bid.organisation_id):
        raise NotFound()
    return bid


OPENED_STATUSES = (Bid.Status.OPENED, Bid.Status.QUALIFIED, Bid.Status.DISQUALIFIED,
                   Bid.Status.AWARDED, Bid.Status.NOT_AWARDED)


def bids_past_deadline() -> QuerySet[Bid]:
    """The bids whose existence, bidder and status may be known beyond the bidder: those of tenders past the
    deadline. Before it, no list, count or name of a tender's bidders reaches anyone, operators included (the
    Django admin and the audit log start from here); what a bid holds stays sealed until it is opened."""
    return Bid.objects.exclude(tender__status__in=Tender.SEALED_STATUSES)


def sealed_bid_ids() -> QuerySet:
    """The ids of the bids on tenders before their deadline, as text (as the audit log stores object ids)."""
    return (Bid.objects.filter(tender__status__in=Tender.SEALED_STATUSES)
            .annotate(text_id=Cast("pk", CharField())).values("text_id"))


def has_declared(user, tender: Tender) -> bool:
    """An evaluator sees bids only after declaring no conflict of interest for this tender."""
    if not getattr(user, "is_authenticated", False):
        return False
    return PanelMember.objects.filter(tender=tender, evaluator=user, declared_at__isnull=False).exists()


def opened_bids_for(*, user, tender: Tender) -> QuerySet[Bid] | None:
    """The opening record (开标记录), or None when this user may not see it yet.

    Sealed until the deadline for everyone. Then: the office's procurement officers and head, the panel's
    evaluators who have declared no conflict, and the bidders; after the award notice, the public too.
    """
    if tender.bids_are_sealed:
        return None
    is_bidder = Bid.objects.filter(
        tender=tender, organisation_id__in=policy.principal(user).organisation_ids, status__in=OPENED_STATUSES
    ).exists()
    public = tender.status in (Tender.Status.STANDSTILL, Tender.Status.AWARDED)
    office = policy.can_run_procurement(user, tender.office_id) or has_declared(user, tender)
    if not (public or is_bidder or office):
        return None
    return Bid.objects.filter(tender=tender, status__in=OPENED_STATUSES).select_related("organisation").order_by(
        "submitted_at", "id"
    )


def objecting_organisations(*, user, tender: Tender):
    """The user's organisations that may object now: bidders whose bid was opened, during the standstill."""
    if tender.status != Tender.Status.STANDSTILL or not getattr(user, "is_authenticated", False):
        return []
    org_ids = policy.principal(user).organisation_ids
    return [b.organisation for b in Bid.objects.filter(tender=tender, organisation_id__in=org_ids,
                                                       opened_at__isnull=False).select_related("organisation")]


def tender_document_get(*, user, pk: int) -> Tender:
    """The tender document: public once the tender is; before that, the office's own staff only."""
    tender = Tender.objects.filter(pk=pk).first()
    if tender is None or not tender.document or not (tender.is_public or policy.has_office_role(user,
                                                                                             tender.office_id)):
        raise NotFound()
    return tender


def may_see_opened_bid_content(user, bid: Bid) -> bool:
    """After opening, a bid's responses and files are for the office's staff who run the tender and the panel
    members who have declared no conflict. The bidding organisation's own members always see their bid."""
    if policy.is_member(user, bid.organisation_id):
        return True
    if bid.status not in OPENED_STATUSES or bid.tender.bids_are_sealed:
        return False
    return policy.can_run_procurement(user, bid.tender.office_id) or has_declared(user, bid.tender)


def tender_of_attachment(*, pk: int) -> Tender | None:
    return Tender.objects.filter(bids__attachments__pk=pk).first()


def bid_attachment_get_for_user(*, user, pk: int) -> BidAttachment:
    """A bid's file, sealed like its bid: the same "not found" whether missing or not this user's to see."""
    attachment = BidAttachment.objects.select_related("bid__tender").filter(pk=pk).first()
    if attachment is None or not getattr(user, "is_authenticated", False) \
            or not may_see_opened_bid_content(user, attachment.bid):
        raise NotFound()
    return attachment


def bid_attachment_get_for_member(*, user, pk: int) -> BidAttachment:
    attachment = BidAttachment.objects.select_related("bid").filter(pk=pk).first()
    if attachment is None or not policy.is_member(user, attachment.bid.organisation_id):
        raise NotFound()
    return attachment


EVALUATED_STATUSES = (Tender.Status.EVALUATING, Tender.Status.STANDSTILL, Tender.Status.AWARDED)


def tender_get_for_evaluation_report(*, user, pk: int) -> Tender:
    """The evaluation report (评标报告): for the office's staff who run the tender and the panel members who
    have declared, once the bids are under evaluation (interim) or the award is proposed."""
    tender = (Tender.objects.select_related("office", "category", "awarded_bid__organisation")
              .filter(pk=pk, status__in=EVALUATED_STATUSES).first())
    if tender is None or not (policy.can_run_procurement(user, tender.office_id) or has_declared(user, tender)):
        raise NotFound()
    return tender


def award_notice_get(*, pk: int) -> Tender:
    """The award notice (中标公示): public from the proposed award on; "not found" before."""
    tender = (Tender.objects.select_related("office", "category", "awarded_bid__organisation")
              .filter(pk=pk, status__in=(Tender.Status.STANDSTILL, Tender.Status.AWARDED),
                      awarded_bid__isnull=False).first())
    if tender is None:
        raise NotFound()
    return tender


def opened_bid_contents(*, user, tender: Tender) -> list[Bid]:
    """The opened bids' responses and files, for those who may read them (see may_see_opened_bid_content)."""
    if tender.bids_are_sealed or not (policy.can_run_procurement(user, tender.office_id)
                                      or has_declared(user, tender)):
        return []
    return list(Bid.objects.filter(tender=tender, status__in=OPENED_STATUSES).select_related("organisation")
                .prefetch_related("responses__criterion", "attachments").order_by("submitted_at", "id"))


def objection_document_get_for_user(*, user, pk: int) -> Objection:
    """An objection's supporting document: the objecting organisation's members and the office's staff who run
    the tender or answer the objection. The same "not found" whether missing or not this user's."""
    objection = Objection.objects.select_related("tender").filter(pk=pk).first()
    if objection is None or not objection.document or not (
            policy.is_member(user, objection.organisation_id)
            or policy.can_run_procurement(user, objection.tender.office_id)):
        raise NotFound()
    return objection
