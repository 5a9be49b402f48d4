"""Properties of the evaluation arithmetic (hypothesis)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bids.scoring import Entry, price_score, rank, score_bids, technical_score, weights_problems

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)
moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31),
                       timezones=st.just(dt.UTC))


@st.composite
def tenders(draw):
    n_criteria = draw(st.integers(0, 4))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n_criteria, max_size=n_criteria, unique=True)))
    bounds = [0, *cuts, 100]
    parts = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    price_weight, criteria = parts[0], {i + 1: w for i, w in enumerate(parts[1:])}
    n_bids = draw(st.integers(1, 8))
    bids = [(i + 1, draw(prices), draw(moments)) for i in range(n_bids)]
    n_evaluators = draw(st.integers(1, 5))
    points = {
        (bid_id, cid): [draw(st.decimals(min_value=0, max_value=w, places=1)) for _ in range(n_evaluators)]
        for bid_id, _p, _t in bids
        for cid, w in criteria.items()
    }
    return price_weight, criteria, bids, points


@settings(max_examples=200, deadline=None)
@given(tenders())
def test_no_score_exceeds_its_weight_and_totals_stay_within_100(tender):
    price_weight, criteria, bids, points = tender
    assert not weights_problems(price_weight=price_weight, criteria_weights=list(criteria.values()))
    for entry in score_bids(bids, price_weight=price_weight, criteria_weights=criteria, points=points):
        assert Decimal(0) <= entry.price_points <= price_weight
        assert Decimal(0) <= entry.technical <= sum(criteria.values())
        assert entry.total <= 100
    for (_bid, cid), values in points.items():
        assert technical_score(values, weight=criteria[cid]) <= criteria[cid]


@settings(max_examples=200, deadline=None)
@given(tenders())
def test_the_lowest_price_gets_the_full_price_score(tender):
    price_weight, criteria, bids, points = tender
    lowest = min(p for _i, p, _t in bids)
    for entry in score_bids(bids, price_weight=price_weight, criteria_weights=criteria, points=points):
        if entry.price == lowest:
            assert entry.price_points == price_weight
        else:
            assert entry.price_points <= price_weight


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.decimals(min_value=0, max_value=100, places=2), prices, moments), min_size=1,
                max_size=12))
def test_ranking_is_a_stable_total_order_under_the_tie_rules(rows):
    entries = [Entry(i, price, at, technical=total) for i, (total, price, at) in enumerate(rows)]
    ranked = rank(entries)
    assert rank(list(reversed(entries))) == ranked  # independent of input order: a total order
    for better, worse in zip(ranked, ranked[1:], strict=False):
        key_b = (-better.total, better.price, better.submitted_at, better.bid_id)
        key_w = (-worse.total, worse.price, worse.submitted_at, worse.bid_id)
        assert key_b < key_w  # strictly: no two entries tie after the tie rules


def test_price_score_example_and_refusals():
    assert price_score(lowest=Decimal("80000"), price=Decimal("100000"), weight=30) == Decimal("24.00")
    for lowest, price in ((Decimal("2"), Decimal("1")), (Decimal("1"), Decimal("0"))):
        try:
            price_score(lowest=lowest, price=price, weight=30)
        except ValueError:
            continue
        raise AssertionError("expected a refusal")


def test_weights_must_sum_to_100():
    assert weights_problems(price_weight=30, criteria_weights=[40, 30]) == []
    assert weights_problems(price_weight=30, criteria_weights=[40, 20]) == ["weights_sum_100"]
    assert "weights_positive" in weights_problems(price_weight=30, criteria_weights=[70, 0])
