"""Panels that ratings adds to marketplace pages: reviews on provider profiles and office scorecards."""

from marketplace import panels

from . import selectors
from .models import CRITERIA, Direction


def _breakdown(subject, direction):
    labels = dict(CRITERIA[direction])
    return [(labels[code], value) for code, value in (subject.rating_breakdown or {}).items() if code in labels]


@panels.register("provider_profile", order=10)
def provider_reviews(request, organisation):
    return "ratings/panel_reviews.html", {
        "subject": organisation,
        "breakdown": _breakdown(organisation, Direction.OFFICE_TO_PROVIDER),
        "reviews": selectors.published_reviews_of_provider(organisation_id=organisation.pk)[:20],
    }


@panels.register("office_profile", order=10)
def office_reviews(request, office):
    return "ratings/panel_reviews.html", {
        "subject": office,
        "breakdown": _breakdown(office, Direction.PROVIDER_TO_OFFICE),
        "reviews": selectors.published_reviews_of_office(office_id=office.pk)[:20],
    }
