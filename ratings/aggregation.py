"""Bayesian aggregation of published reviews, incremental on publication and in full every night.

What is stored (marketplace.models.Reputation, written only through marketplace.services):
- `rating_count`: the subject's published reviews;
- `rating_breakdown`: the SUM of the scores per criterion, {code: int};
- `rating_total`: the sum of every criterion score of every review (Σ breakdown);
- `rating_score`: the Bayesian overall score (stored because the directory sorts, filters and indexes on it).

The Bayesian average of a subject with n reviews is (C·m + Σx) / (C + n), with C = RATING_PRIOR_WEIGHT and m the
global mean of that side (all published reviews of that direction). For the overall score x is a review's mean
over its criteria, so Σx = rating_total / K (K criteria); for a criterion, Σx is that criterion's sum.

Incremental equals full, by construction:
- publishing a review adds its scores to its ONE subject's sums (a row lock, a few additions);
- the global mean m then changes for the whole side, so every rated subject of that side gets its overall score
  recomputed from the stored sums: one SELECT of (id, total, count) and one bulk UPDATE of the rows whose score
  changed. Scores are a pure function of the stored sums, and the nightly full recompute rebuilds the sums from
  the reviews and then runs the very same scoring function, so both paths give identical numbers;
- the per-criterion Bayesian averages are computed when a profile is shown (`criterion_scores`), from the
  stored sums and the side's per-criterion means (one query), so nothing else goes stale.
Without any published review on a side, the prior mean is the middle of the scale, 3.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction

from marketplace.models import Organisation, StreetOffice, User
from marketplace.notifications import notify
from marketplace.services import reputation_scores_set, reputation_set

from .models import CRITERIA, Direction, LowScoreFlag, Review

Q3 = Decimal("0.001")
NEUTRAL = Decimal(3)

SIDES = {
    Direction.OFFICE_TO_PROVIDER: (Organisation, "window__contract__provider_id"),
    Direction.PROVIDER_TO_OFFICE: (StreetOffice, "window__contract__office_id"),
}


def direction_of(model) -> str:
    return Direction.OFFICE_TO_PROVIDER if model is Organisation else Direction.PROVIDER_TO_OFFICE


def bayesian(*, total: Decimal, count: int, prior_mean: Decimal, prior_weight: int) -> Decimal:
    """(C·m + Σx) / (C + n): few reviews pull toward the side's global mean; many speak for themselves."""
    return ((prior_weight * prior_mean + total) / (prior_weight + count)).quantize(Q3, rounding=ROUND_HALF_UP)


def _overall_scores(direction: str, rows: dict[int, tuple[int, int]]) -> dict[int, Decimal | None]:
    """Overall Bayesian score of every subject from {pk: (total, count)}: the one scoring function."""
    k = len(CRITERIA[direction])
    reviews = sum(count for _total, count in rows.values())
    prior = Decimal(sum(total for total, _count in rows.values())) / (k * reviews) if reviews else NEUTRAL
    weight = settings.RATING_PRIOR_WEIGHT
    return {pk: bayesian(total=Decimal(total) / k, count=count, prior_mean=prior, prior_weight=weight)
            if count else None for pk, (total, count) in rows.items()}


def _rated_rows(model) -> dict[int, tuple[int, int]]:
    return {pk: (total, count) for pk, total, count in
            model.objects.filter(rating_count__gt=0).values_list("pk", "rating_total", "rating_count")}


def _rescore_side(direction: str, *, changed: dict | None = None) -> None:
    """Write the side's overall scores. `changed` {subject: (total, count, breakdown)} are written in full first."""
    model, _field = SIDES[direction]
    rows = _rated_rows(model)
    changed = changed or {}
    for subject, (total, count, _breakdown) in changed.items():
        rows[subject.pk] = (total, count)
    scores = _overall_scores(direction, rows)
    for subject, (total, count, breakdown) in changed.items():
        reputation_set(subject=subject, score=scores.get(subject.pk), count=count, breakdown=breakdown, total=total)
    others = {pk: score for pk, score in scores.items() if pk not in {s.pk for s in changed}}
    reputation_scores_set(model=model, scores=others)
    if model is Organisation:
        flag_low_scores()


def reviews_published(reviews: list[Review]) -> None:
    """Incremental: add each newly published review to its subject's sums, then rescore that side."""
    by_direction: dict[str, dict[int, list]] = defaultdict(dict)
    for review in reviews:
        model, _field = SIDES[review.direction]
        contract = review.window.contract
        pk = contract.provider_id if model is Organisation else contract.office_id
        if pk not in by_direction[review.direction]:
            subject = model.objects.select_for_update().get(pk=pk)
            by_direction[review.direction][pk] = [subject, subject.rating_total, subject.rating_count,
                                                  dict(subject.rating_breakdown)]
        entry = by_direction[review.direction][pk]
        for code, value in review.scores.items():
            entry[3][code] = entry[3].get(code, 0) + value
        entry[1] += sum(review.scores.values())
        entry[2] += 1
    for direction, entries in by_direction.items():
        _rescore_side(direction, changed={subject: (total, count, breakdown)
                                          for subject, total, count, breakdown in entries.values()})


@transaction.atomic
def recompute_all() -> None:
    """Nightly: rebuild every subject's sums from the published reviews, then score each side."""
    for direction, (model, field) in SIDES.items():
        sums: dict[int, list] = {}
        published = Review.objects.filter(direction=direction, status=Review.Status.PUBLISHED)
        for pk, scores in published.values_list(field, "scores"):
            total, count, breakdown = sums.setdefault(pk, [0, 0, {}])
            for code, value in scores.items():
                breakdown[code] = breakdown.get(code, 0) + value
            sums[pk][0] = total + sum(scores.values())
            sums[pk][1] = count + 1
        stale = model.objects.filter(rating_count__gt=0).exclude(pk__in=list(sums)).values_list("pk", flat=True)
        for pk in stale:
            sums[pk] = [0, 0, {}]
        changed = {}
        for subject in model.objects.select_for_update().filter(pk__in=list(sums)):
            total, count, breakdown = sums[subject.pk]
            if (subject.rating_total, subject.rating_count, subject.rating_breakdown) != (total, count, breakdown):
                changed[subject] = (total, count, breakdown)
        _rescore_side(direction, changed=changed)


def criterion_scores(subject) -> list[tuple[str, str, Decimal]]:
    """[(code, label, Bayesian average)] of one subject's criteria, against the side's per-criterion means."""
    model = type(subject)
    direction = direction_of(model)
    if not subject.rating_count:
        return []
    sums: dict[str, int] = defaultdict(int)
    reviews = 0
    for breakdown, count in model.objects.filter(rating_count__gt=0).values_list("rating_breakdown", "rating_count"):
        reviews += count
        for code, value in breakdown.items():
            sums[code] += value
    weight = settings.RATING_PRIOR_WEIGHT
    result = []
    for code, label in CRITERIA[direction]:
        prior = Decimal(sums[code]) / reviews if reviews else NEUTRAL
        mine = Decimal(subject.rating_breakdown.get(code, 0))
        result.append((code, label, bayesian(total=mine, count=subject.rating_count, prior_mean=prior,
                                             prior_weight=weight)))
    return result


def flag_low_scores() -> list[LowScoreFlag]:
    """Flag, once, every organisation at or over RATING_FLAG_MIN_REVIEWS reviews whose score is below the threshold.

    "Stays below" is read as: the Bayesian score, which already weighs all its reviews, is below the threshold
    now, with at least that many reviews. Operators are told and decide; nothing is suspended automatically.
    """
    low = list(Organisation.objects.filter(rating_count__gte=settings.RATING_FLAG_MIN_REVIEWS,
                                           rating_score__lt=settings.RATING_FLAG_THRESHOLD)
               .only("pk", "name", "rating_score", "rating_count"))
    if not low:
        return []
    # One open flag at a time; after an operator closes one, a new flag needs new reviews (a higher count).
    latest: dict[int, tuple[str, int]] = {}
    for org_id, status, count in (LowScoreFlag.objects.filter(organisation__in=low).order_by("created_at", "pk")
                                  .values_list("organisation_id", "status", "count")):
        latest[org_id] = (status, count)
    flags = [LowScoreFlag.objects.create(organisation=org, score=org.rating_score, count=org.rating_count)
             for org in low
             if org.pk not in latest
             or (latest[org.pk][0] != LowScoreFlag.Status.OPEN and latest[org.pk][1] < org.rating_count)]
    if flags:
        operators = list(User.objects.filter(is_platform_operator=True, is_active=True))
        for flag in flags:
            notify(users=operators, template="review_flag",
                   context={"organisation": flag.organisation.name, "score": str(flag.score), "count": flag.count,
                            "path": "/dashboard/operator/ratings/"})
    return flags
