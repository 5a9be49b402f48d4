"""Reads with rules for reviews: published reviews are public; a submitted one only to its author's side."""

from django.db.models import QuerySet

from .models import Direction, Review


def published_reviews_of_provider(*, organisation_id: int) -> QuerySet[Review]:
    return (
        Review.objects.filter(direction=Direction.OFFICE_TO_PROVIDER, status=Review.Status.PUBLISHED,
                              window__contract__provider_id=organisation_id)
        .select_related("window__contract__office")
        .order_by("-published_at")
    )


def published_reviews_of_office(*, office_id: int) -> QuerySet[Review]:
    return (
        Review.objects.filter(direction=Direction.PROVIDER_TO_OFFICE, status=Review.Status.PUBLISHED,
                              window__contract__office_id=office_id)
        .select_related("window__contract__provider")
        .order_by("-published_at")
    )
