"""Reads with rules for reviews: published reviews are public; a submitted one only to its author."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet

from contracts.models import Contract
from marketplace.errors import NotFound

from .models import Direction, LowScoreFlag, Report, ResidentRating, Review

PUBLIC_CONTRACT_STATUSES = (Contract.Status.ACTIVE, Contract.Status.COMPLETED, Contract.Status.TERMINATED)


def _published(direction: str, **flt) -> QuerySet[Review]:
    return Review.objects.filter(direction=direction, status=Review.Status.PUBLISHED, **flt)


def published_reviews_of_provider(*, organisation_id: int) -> QuerySet[Review]:
    return (_published(Direction.OFFICE_TO_PROVIDER, window__contract__provider_id=organisation_id)
            .select_related("window__contract__office").defer("private_note").order_by("-published_at", "-pk"))


def published_reviews_of_office(*, office_id: int) -> QuerySet[Review]:
    return (_published(Direction.PROVIDER_TO_OFFICE, window__contract__office_id=office_id)
            .select_related("window__contract__provider").defer("private_note").order_by("-published_at", "-pk"))


def published_review(*, pk: int) -> Review:
    review = Review.objects.select_related("window__contract").filter(pk=pk, status=Review.Status.PUBLISHED).first()
    if review is None:
        raise NotFound()
    return review


def own_review(*, user, contract_id: int, direction: str) -> Review | None:
    """The author sees their own sealed review; others of the same side only learn that it was submitted."""
    review = Review.objects.filter(window__contract_id=contract_id, direction=direction).first()
    if review is not None and review.author_id != user.pk and review.status != Review.Status.PUBLISHED:
        review.scores, review.comment, review.private_note = {}, "", ""
    return review


def distribution(reviews: QuerySet[Review]) -> list[tuple[int, int]]:
    """[(stars, count)] from 5 down to 1: each review's overall (mean of its criteria) rounded half up."""
    counts = dict.fromkeys(range(5, 0, -1), 0)
    for scores in reviews.order_by().values_list("scores", flat=True):
        values = list(scores.values())
        if values:
            stars = int((Decimal(sum(values)) / len(values)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            counts[min(5, max(1, stars))] += 1
    return list(counts.items())


def resident_ratings(**flt) -> QuerySet[ResidentRating]:
    return (ResidentRating.objects.filter(contract__status=Contract.Status.COMPLETED, **flt)
            .select_related("contract").order_by("-created_at", "-pk"))


def resident_summary(**flt) -> dict:
    return ResidentRating.objects.filter(contract__status=Contract.Status.COMPLETED, **flt).aggregate(
        average=Avg("score"), count=Count("pk"))


def resident_rating_get(*, pk: int) -> ResidentRating:
    rating = ResidentRating.objects.select_related("contract").filter(pk=pk).first()
    if rating is None:
        raise NotFound()
    return rating


def contracts_of_office(*, office_id: int) -> QuerySet[Contract]:
    return (Contract.objects.filter(office_id=office_id, status__in=PUBLIC_CONTRACT_STATUSES)
            .select_related("provider").order_by("-created_at"))


def open_reports() -> QuerySet[Report]:
    return (Report.objects.filter(status=Report.Status.OPEN)
            .select_related("reporter", "review__window__contract__provider", "review__window__contract__office",
                            "resident_rating__contract__provider"))


def open_flags() -> QuerySet[LowScoreFlag]:
    return LowScoreFlag.objects.filter(status=LowScoreFlag.Status.OPEN).select_related("organisation")
