"""Evaluation: technical criteria, the panel and its conflict-of-interest declarations, scores and ranking.

The panel rule: only the tender's panel members who have declared no conflict of interest qualify, disqualify and
score bids (`require_declared_panel_member`); the office's other staff, its head included, see but do not judge.
"""

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import policy
from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import Membership, OfficeStaff, User

from .. import scoring
from ..models import Bid, Criterion, PanelMember, Score, Tender
from ..selectors import has_declared
from .tenders import _lock_tender, closes_due_tender_first

OPENED = (Bid.Status.OPENED, Bid.Status.QUALIFIED, Bid.Status.DISQUALIFIED, Bid.Status.AWARDED,
          Bid.Status.NOT_AWARDED)


@closes_due_tender_first
def criteria_set(*, actor: User, tender_id: int, price_weight: int, criteria: list[tuple]) -> Tender:
    """Comprehensive scoring: the criteria and the price weight must sum to 100.

    Each criterion is (name, weight) or (name, weight, response_required): a required criterion needs the
    bidder's written response before a bid can be submitted."""
    tender = _lock_tender(tender_id)
    if not policy.can_run_procurement(actor, tender.office_id):
        raise NotFound()
    if tender.status != Tender.Status.DRAFT:
        raise Conflict(_("The evaluation method is fixed once the tender is published."))
    criteria = [(c[0], c[1], bool(c[2]) if len(c) > 2 else False) for c in criteria]
    weights = [w for _name, w, _required in criteria]
    if any(not name.strip() for name, _w, _required in criteria):
        raise ValidationFailed(_("Every criterion needs a name."))
    if scoring.weights_problems(price_weight=price_weight, criteria_weights=weights):
        raise ValidationFailed(
            _("The price weight and the criteria weights must be positive and add up to 100 (they add up to "
              "%(total)d).") % {"total": price_weight + sum(weights)},
            code="weights_sum_100",
        )
    tender.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(tender=tender, name=name.strip(), weight=w, response_required=required, order=n)
        for n, (name, w, required) in enumerate(criteria)
    )
    tender.price_weight = price_weight
    tender.method = Tender.Method.COMPREHENSIVE if criteria else Tender.Method.LOWEST_PRICE
    tender.save(update_fields=["price_weight", "method", "updated_at"])
    audit_record(actor=actor, verb="tender.criteria", obj=tender,
                 after={"price_weight": price_weight, "criteria": [[n, w, r] for n, w, r in criteria]})
    return tender


def require_declared_panel_member(actor: User, tender: Tender) -> None:
    """Qualifying, disqualifying and scoring are the declared panel's. Someone outside the office gets "not found"
    (the tender is not theirs to know of); the office's staff without a declared seat are told why."""
    if not policy.has_office_role(actor, tender.office_id):
        raise NotFound()
    if not has_declared(actor, tender):
        raise PermissionDenied(_("Only the tender's panel members who have declared no conflict of interest "
                                 "qualify, disqualify and score bids."), code="panel_only")


def _bidder_member(user: User, tender: Tender) -> bool:
    """Is the person a member of an organisation whose bid was opened on this tender?"""
    orgs = Bid.objects.filter(tender=tender, status__in=OPENED).values("organisation_id")
    return Membership.objects.filter(user=user, organisation_id__in=orgs).exists()


@closes_due_tender_first
def panel_add(*, actor: User, tender_id: int, evaluator: User) -> PanelMember:
    tender = _lock_tender(tender_id)
    if not policy.can_run_procurement(actor, tender.office_id):
        raise NotFound()
    if tender.status in Tender.FINAL_STATUSES or tender.status == Tender.Status.STANDSTILL:
        raise Conflict(_("The panel can no longer change."))
    if not OfficeStaff.objects.filter(office_id=tender.office_id, user=evaluator,
                                      role=OfficeStaff.Role.EVALUATOR).exists():
        raise ValidationFailed(_("Only the office's evaluators can sit on a panel."))
    # Before the deadline the bidders are sealed: the conflict check happens at the declaration instead.
    if not tender.bids_are_sealed and _bidder_member(evaluator, tender):
        raise PermissionDenied(_("This person is a member of a bidding organisation and cannot evaluate."))
    member, created = PanelMember.objects.get_or_create(tender=tender, evaluator=evaluator,
                                                        defaults={"added_by": actor})
    if created:
        audit_record(actor=actor, verb="panel.add", obj=tender, after={"evaluator": evaluator.pk})
    return member


@closes_due_tender_first
def panel_declare(*, actor: User, tender_id: int) -> PanelMember:
    """The evaluator declares no conflict of interest; only then may they see the bids."""
    tender = _lock_tender(tender_id)
    member = PanelMember.objects.select_for_update().filter(tender=tender, evaluator=actor).first()
    if member is None:
        raise NotFound()
    if tender.status not in (Tender.Status.CLOSED, Tender.Status.EVALUATING):
        raise Conflict(_("Declarations are made once the bids are opened."))
    if _bidder_member(actor, tender):
        raise PermissionDenied(_("You are a member of a bidding organisation and cannot evaluate this tender."))
    if member.declared_at is None:
        member.declared_at = timezone.now()
        member.save(update_fields=["declared_at"])
        audit_record(actor=actor, verb="panel.declare", obj=tender, after={"evaluator": actor.pk})
    return member


@closes_due_tender_first
def score_record(*, actor: User, bid_id: int, criterion_id: int, points, comment: str = "") -> Score:
    bid = Bid.objects.filter(pk=bid_id).first()
    if bid is None:
        raise NotFound()
    tender = _lock_tender(bid.tender_id)
    require_declared_panel_member(actor, tender)
    if tender.status != Tender.Status.EVALUATING or bid.status != Bid.Status.QUALIFIED:
        raise Conflict(_("Only qualified bids are scored, during evaluation."))
    criterion = Criterion.objects.filter(pk=criterion_id, tender=tender).first()
    if criterion is None:
        raise NotFound()
    try:
        points = Decimal(str(points))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Enter the points as a number.")) from exc
    if not Decimal(0) <= points <= criterion.weight:
        raise ValidationFailed(_("Points for “%(criterion)s” lie between 0 and %(weight)d.")
                               % {"criterion": criterion.name, "weight": criterion.weight})
    score, _created = Score.objects.update_or_create(
        bid=bid, criterion=criterion, evaluator=actor, defaults={"points": points, "comment": comment.strip()}
    )
    audit_record(actor=actor, verb="bid.score", obj=bid, after={"criterion": criterion.pk, "points": points})
    return score


def tender_ranking(tender: Tender) -> list[tuple[Bid, scoring.Entry]]:
    """Qualified bids with their scores, best first. Lowest price is comprehensive scoring with weight 100."""
    bids = list(Bid.objects.filter(tender=tender, status__in=(Bid.Status.QUALIFIED, Bid.Status.AWARDED,
                                                               Bid.Status.NOT_AWARDED))
                .select_related("organisation"))
    if not bids:
        return []
    by_id = {b.pk: b for b in bids}
    criteria = dict(tender.criteria.values_list("id", "weight"))
    points: dict[tuple[int, int], list[Decimal]] = {}
    for bid_id, criterion_id, value in Score.objects.filter(bid__in=bids).values_list("bid_id", "criterion_id",
                                                                                      "points"):
        points.setdefault((bid_id, criterion_id), []).append(value)
    price_weight = tender.price_weight if criteria else 100
    entries = scoring.score_bids([(b.pk, b.price, b.submitted_at) for b in bids], price_weight=price_weight,
                                 criteria_weights=criteria, points=points)
    return [(by_id[e.bid_id], e) for e in entries]
