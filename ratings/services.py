"""Every state change of the two-way evaluation: windows, double-blind reviews, publication, aggregation."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from marketplace import policy
from marketplace.audit import audit_record
from marketplace.errors import Conflict, NotFound, ValidationFailed
from marketplace.models import Organisation, StreetOffice, User
from marketplace.services import reputation_set
from marketplace.statemachine import transition

from .models import CRITERIA, Direction, Review, ReviewWindow


@transaction.atomic
def review_window_open(*, contract: Contract) -> ReviewWindow:
    now = timezone.now()
    window, created = ReviewWindow.objects.get_or_create(
        contract=contract,
        defaults={"opens_at": now, "closes_at": now + dt.timedelta(days=settings.REVIEW_WINDOW_DAYS)},
    )
    if created:
        audit_record(actor=None, verb="review_window.open", obj=window, after={"closes_at": window.closes_at})
    return window


def direction_for(actor: User, contract: Contract) -> str:
    """Which review this person writes for this contract; 'not found' if they are not a party."""
    if policy.can_run_procurement(actor, contract.office_id):
        return Direction.OFFICE_TO_PROVIDER
    if policy.is_member(actor, contract.provider_id):
        return Direction.PROVIDER_TO_OFFICE
    raise NotFound()


def _clean_scores(direction: str, scores: dict) -> dict:
    cleaned = {}
    for code, label in CRITERIA[direction]:
        try:
            value = int(scores.get(code))
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise ValidationFailed(_("Give “%(criterion)s” a score from 1 to 5.") % {"criterion": label})
        cleaned[code] = value
    return cleaned


@transaction.atomic
def review_submit(*, actor: User, contract_id: int, scores: dict, comment: str = "", private_note: str = "") -> Review:
    """Submit this side's review. It stays hidden until the other side submits or the window closes."""
    window = ReviewWindow.objects.select_for_update().select_related("contract").filter(contract_id=contract_id).first()
    if window is None:
        raise NotFound()
    direction = direction_for(actor, window.contract)
    if window.published_at is not None or timezone.now() >= window.closes_at:
        raise Conflict(_("The review window for this contract has closed."))
    review = Review.objects.filter(window=window, direction=direction).first()
    if review is not None and review.status != Review.Status.DRAFT:
        raise Conflict(_("Your side has already reviewed this contract."))
    review = review or Review(window=window, direction=direction, author=actor)
    review.scores = _clean_scores(direction, scores)
    review.comment = comment.strip()
    review.private_note = private_note.strip()
    review.submitted_at = timezone.now()
    review.save()
    transition(review, Review.Status.SUBMITTED, actor=actor, verb="review.submit",
               fields=["scores", "comment", "private_note", "submitted_at"])
    if window.reviews.filter(status=Review.Status.SUBMITTED).count() == len(Direction):
        _publish(window)
    return review


def _publish(window: ReviewWindow) -> None:
    now = timezone.now()
    window.published_at = now
    window.save(update_fields=["published_at"])
    for review in window.reviews.filter(status=Review.Status.SUBMITTED):
        review.published_at = now
        transition(review, Review.Status.PUBLISHED, actor=None, verb="review.publish", fields=["published_at"])
    contract = window.contract
    reputation_recompute(subject=Organisation.objects.get(pk=contract.provider_id))
    reputation_recompute(subject=StreetOffice.objects.get(pk=contract.office_id))


@transaction.atomic
def review_window_close(*, window_id: int) -> ReviewWindow:
    """At the end of the window, whatever was submitted is published."""
    window = ReviewWindow.objects.select_for_update().select_related("contract").get(pk=window_id)
    if window.published_at is None and timezone.now() >= window.closes_at:
        _publish(window)
    return window


def review_windows_close_due() -> int:
    due = ReviewWindow.objects.filter(published_at__isnull=True, closes_at__lte=timezone.now())
    return sum(1 for pk in due.values_list("pk", flat=True) if review_window_close(window_id=pk).published_at)


Q3 = Decimal("0.001")


def bayesian(*, total: Decimal, count: int, prior_mean: Decimal, prior_weight: int) -> Decimal:
    """(C·m + Σx) / (C + n): few reviews pull toward the side's global mean; many speak for themselves."""
    return ((prior_weight * prior_mean + total) / (prior_weight + count)).quantize(Q3, rounding=ROUND_HALF_UP)


def _published(direction: str):
    return Review.objects.filter(direction=direction, status=Review.Status.PUBLISHED)


def _mean(values) -> Decimal:
    values = list(values)
    return (sum(values, Decimal(0)) / len(values)) if values else Decimal(3)


def reputation_recompute(*, subject: Organisation | StreetOffice) -> None:
    """Recompute one subject's scores from its published reviews and write them through marketplace."""
    if isinstance(subject, Organisation):
        direction, flt = Direction.OFFICE_TO_PROVIDER, {"window__contract__provider": subject}
    else:
        direction, flt = Direction.PROVIDER_TO_OFFICE, {"window__contract__office": subject}
    everyone = list(_published(direction).values_list("scores", flat=True))
    mine = list(_published(direction).filter(**flt).values_list("scores", flat=True))
    weight = settings.RATING_PRIOR_WEIGHT

    def overall(scores):
        return Decimal(sum(scores.values())) / len(scores)

    breakdown = {}
    for code, _label in CRITERIA[direction]:
        prior = _mean(Decimal(s[code]) for s in everyone if code in s)
        total = sum((Decimal(s[code]) for s in mine if code in s), Decimal(0))
        breakdown[code] = str(bayesian(total=total, count=len(mine), prior_mean=prior, prior_weight=weight))
    score = None
    if mine:
        score = bayesian(total=sum((overall(s) for s in mine), Decimal(0)), count=len(mine),
                         prior_mean=_mean(overall(s) for s in everyone), prior_weight=weight)
    extra = {}
    if isinstance(subject, Organisation):
        extra = {
            "contracts_completed": Contract.objects.filter(provider=subject, status=Contract.Status.COMPLETED).count(),
            "contracts_terminated": Contract.objects.filter(provider=subject,
                                                            status=Contract.Status.TERMINATED).count(),
        }
    reputation_set(subject=subject, score=score, count=len(mine), breakdown=breakdown if mine else {}, **extra)
