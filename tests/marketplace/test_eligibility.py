"""Who may bid: the one rule, as a table of cases."""

from decimal import Decimal

import pytest

from marketplace.eligibility import TenderRequirements, bid_eligibility
from marketplace.models import Grade, Organisation, Track
from tests.factories import OrganisationFactory, ServiceCategoryFactory, StreetOfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    home, other = StreetOfficeFactory(), StreetOfficeFactory()
    category, other_category = ServiceCategoryFactory(), ServiceCategoryFactory()
    return {"home": home, "other": other, "category": category, "other_category": other_category}


def requirements(s, **over):
    base = {
        "office_id": s["home"].pk,
        "budget": Decimal("50000.00"),
        "category_id": s["category"].pk,
        "allowed_tracks": frozenset(Track.values),
        "min_grade": Grade.NONE,
        "filed_budget_threshold": Decimal("100000.00"),
    }
    base.update({k: (s[v] .pk if isinstance(v, str) and v in s else v) for k, v in over.items()})
    return TenderRequirements(**base)


CASES = [
    # (id, organisation kwargs, requirement overrides, expected reason codes)
    ("registered, verified, serves it", {}, {}, []),
    ("filed at home, small tender", {"filed": True}, {}, []),
    ("pending", {"status": Organisation.Status.PENDING}, {}, ["not_verified"]),
    ("rejected", {"status": Organisation.Status.REJECTED}, {}, ["not_verified"]),
    ("suspended", {"status": Organisation.Status.SUSPENDED}, {}, ["suspended"]),
    ("removed", {"status": Organisation.Status.REMOVED}, {}, ["not_verified"]),
    ("filed, other office", {"filed": True}, {"office_id": "other"}, ["filed_other_office"]),
    ("filed, over threshold", {"filed": True}, {"budget": Decimal("100000.01")}, ["filed_over_threshold"]),
    ("filed, at threshold", {"filed": True}, {"budget": Decimal("100000.00")}, []),
    ("filed, other office and over threshold", {"filed": True},
     {"office_id": "other", "budget": Decimal("200000")}, ["filed_other_office", "filed_over_threshold"]),
    ("registered, over threshold is fine", {}, {"budget": Decimal("900000")}, []),
    ("grade below minimum", {"grade": Grade.A2}, {"min_grade": Grade.A3}, ["grade_too_low"]),
    ("grade at minimum", {"grade": Grade.A3}, {"min_grade": Grade.A3}, []),
    ("no grade, minimum 1A", {}, {"min_grade": Grade.A1}, ["grade_too_low"]),
    ("other category", {}, {"category_id": "other_category"}, ["category_not_served"]),
    ("filed not allowed", {"filed": True}, {"allowed_tracks": frozenset({Track.REGISTERED})}, ["track_not_allowed"]),
    ("everything wrong", {"filed": True, "status": Organisation.Status.SUSPENDED},
     {"office_id": "other", "budget": Decimal("200000"), "min_grade": Grade.A5, "category_id": "other_category",
      "allowed_tracks": frozenset({Track.REGISTERED})},
     ["suspended", "track_not_allowed", "filed_other_office", "filed_over_threshold", "grade_too_low",
      "category_not_served"]),
]


@pytest.mark.parametrize(("org_kwargs", "over", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_eligibility_table(setting, org_kwargs, over, expected):
    kwargs = dict(org_kwargs)
    if kwargs.pop("filed", False):
        kwargs.update(track=Track.FILED, uscc=None, home_office=setting["home"])
    org = OrganisationFactory(categories=[setting["category"]], **kwargs)
    reasons = bid_eligibility(org, requirements(setting, **over))
    assert [r.code for r in reasons] == expected
    assert all(str(r.message) for r in reasons)
