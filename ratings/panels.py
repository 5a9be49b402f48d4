"""Panels that ratings adds to marketplace pages: reviews on provider profiles and office scorecards.

Each profile shows the score by criterion (Bayesian, computed here from the stored sums), the distribution of
review scores as an inline SVG drawn on the server, the published reviews with their replies, and the residents'
ratings apart. The office scorecard also lists the office's contracts (the provider profile gets its contract
history from `contracts`).
"""

from marketplace import panels, policy

from . import aggregation, selectors
from .forms import ReplyForm, ReportForm
from .models import Direction

BAR_WIDTH = 200


def _chart(rows):
    peak = max((count for _stars, count in rows), default=0)
    return [{"stars": stars, "count": count, "y": i * 24, "width": round(BAR_WIDTH * count / peak) if peak else 0}
            for i, (stars, count) in enumerate(rows)]


def _reviews_context(request, subject, direction, reviews, *, can_reply):
    page = list(reviews[:20])
    return {
        "subject": subject,
        "direction": direction,
        "criteria": aggregation.criterion_scores(subject),
        "chart": _chart(selectors.distribution(reviews)) if subject.rating_count else [],
        "chart_height": 5 * 24,
        "reviews": page,
        "can_reply": can_reply,
        "signed_in": request.user.is_authenticated,
        "reply_form": ReplyForm(),
        "report_form": ReportForm(),
    }


def _residents_context(request, **flt):
    summary = selectors.resident_summary(**flt)
    return {
        "summary": summary,
        "ratings": list(selectors.resident_ratings(**flt)[:20]) if summary["count"] else [],
        "signed_in": request.user.is_authenticated,
        "report_form": ReportForm(),
    }


@panels.register("provider_profile", order=10)
def provider_reviews(request, organisation):
    return "ratings/panel_reviews.html", _reviews_context(
        request, organisation, Direction.OFFICE_TO_PROVIDER,
        selectors.published_reviews_of_provider(organisation_id=organisation.pk),
        can_reply=policy.is_member(request.user, organisation.pk))


@panels.register("provider_profile", order=15)
def provider_residents(request, organisation):
    return "ratings/panel_residents.html", _residents_context(request, contract__provider_id=organisation.pk)


@panels.register("office_profile", order=10)
def office_reviews(request, office):
    return "ratings/panel_reviews.html", _reviews_context(
        request, office, Direction.PROVIDER_TO_OFFICE,
        selectors.published_reviews_of_office(office_id=office.pk),
        can_reply=policy.can_run_procurement(request.user, office.pk))


@panels.register("office_profile", order=15)
def office_residents(request, office):
    return "ratings/panel_residents.html", _residents_context(request, contract__office_id=office.pk)


@panels.register("office_profile", order=20)
def office_contracts(request, office):
    return "ratings/panel_office_contracts.html", {
        "contracts": list(selectors.contracts_of_office(office_id=office.pk)[:20])}
