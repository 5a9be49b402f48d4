"""The evaluation arithmetic, kept pure so it can be proved with properties.

Comprehensive scoring (综合评分法): technical criteria with weights plus a price weight, summing to 100.
- Price score = (lowest qualified price / this price) × price weight.
- A technical criterion's score is the mean of the evaluators' points for it (each at most the weight).
- Totals are ranked high to low; ties go to the lower price, then the earlier submission.
Lowest price (最低评标价法) is the special case with price weight 100 and no criteria.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weights_problems(*, price_weight: int, criteria_weights: Sequence[int]) -> list[str]:
    """Codes of what is wrong with a method's weights (empty when they are valid)."""
    problems = []
    if price_weight < 0 or any(w <= 0 for w in criteria_weights):
        problems.append("weights_positive")
    if price_weight + sum(criteria_weights) != 100:
        problems.append("weights_sum_100")
    return problems


def price_score(*, lowest: Decimal, price: Decimal, weight: int) -> Decimal:
    """(lowest / price) × weight, never above the weight because the lowest is at most any price."""
    if price <= 0 or lowest <= 0 or lowest > price:
        raise ValueError("price must be positive and not below the lowest qualified price")
    return min(_q(lowest / price * weight), Decimal(weight))


def technical_score(points_by_evaluator: Iterable[Decimal], *, weight: int) -> Decimal:
    """The evaluators' mean for one criterion. Each evaluator's points lie in [0, weight]."""
    points = list(points_by_evaluator)
    if not points:
        return Decimal(0)
    if any(p < 0 or p > weight for p in points):
        raise ValueError("points must lie between 0 and the criterion's weight")
    return min(_q(sum(points, Decimal(0)) / len(points)), Decimal(weight))


@dataclass(frozen=True)
class Entry:
    bid_id: int
    price: Decimal
    submitted_at: datetime
    technical: Decimal = Decimal(0)
    price_points: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.technical + self.price_points


def score_bids(
    bids: Sequence[tuple[int, Decimal, datetime]],
    *,
    price_weight: int,
    criteria_weights: Mapping[int, int],
    points: Mapping[tuple[int, int], Iterable[Decimal]],
) -> list[Entry]:
    """Score qualified bids and rank them.

    `bids` are (bid_id, price, submitted_at); `criteria_weights` maps criterion id → weight; `points` maps
    (bid_id, criterion_id) → the evaluators' points. Returns entries best first.
    """
    if not bids:
        return []
    lowest = min(price for _id, price, _at in bids)
    entries = []
    for bid_id, price, submitted_at in bids:
        technical = sum(
            (technical_score(points.get((bid_id, cid), ()), weight=w) for cid, w in criteria_weights.items()),
            Decimal(0),
        )
        entries.append(Entry(bid_id, price, submitted_at, technical,
                             price_score(lowest=lowest, price=price, weight=price_weight)))
    return rank(entries)


def rank(entries: Iterable[Entry]) -> list[Entry]:
    """Best first: higher total, then lower price, then earlier submission, then lower id (a total order)."""
    return sorted(entries, key=lambda e: (-e.total, e.price, e.submitted_at, e.bid_id))
