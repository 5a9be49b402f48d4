"""Who may bid: the one rule, in one place.

`bid_eligibility` answers whether an organisation may bid on a tender and, if not, gives every reason.
The tender is described by `TenderRequirements`, so this module needs nothing from the apps above it;
`bids` builds the requirements from a Tender.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import Grade, Organisation, Track


@dataclass(frozen=True)
class TenderRequirements:
    office_id: int
    budget: Decimal
    category_id: int | None
    allowed_tracks: frozenset[str] = field(default_factory=lambda: frozenset(Track.values))
    min_grade: str = Grade.NONE
    filed_budget_threshold: Decimal = Decimal("100000.00")


@dataclass(frozen=True)
class Ineligibility:
    code: str
    message: str

    def __str__(self):
        return str(self.message)


def bid_eligibility(organisation: Organisation, req: TenderRequirements, *, category_ids=None) -> list[Ineligibility]:
    """Every reason `organisation` may not bid; an empty list means it may.

    `category_ids` lets a caller that already fetched the organisation's categories avoid a query.
    """
    reasons: list[Ineligibility] = []
    status = organisation.status
    if status == Organisation.Status.SUSPENDED:
        reasons.append(Ineligibility("suspended", _("The organisation is suspended.")))
    elif status != Organisation.Status.VERIFIED:
        reasons.append(Ineligibility("not_verified", _("The organisation is not verified.")))

    if organisation.track not in req.allowed_tracks:
        message = (
            _("This tender is not open to filed organisations.")
            if organisation.track == Track.FILED
            else _("This tender is not open to registered organisations.")
        )
        reasons.append(Ineligibility("track_not_allowed", message))
    if organisation.track == Track.FILED:
        if organisation.home_office_id != req.office_id:
            reasons.append(
                Ineligibility(
                    "filed_other_office",
                    _("A filed organisation may bid only on tenders of the street office it is filed with."),
                )
            )
        if req.budget > req.filed_budget_threshold:
            reasons.append(
                Ineligibility(
                    "filed_over_threshold",
                    _("The budget exceeds the limit of ¥%(threshold)s for filed organisations.")
                    % {"threshold": f"{req.filed_budget_threshold:,.2f}"},
                )
            )
    if int(organisation.grade or 0) < int(req.min_grade or 0):
        reasons.append(
            Ineligibility(
                "grade_too_low",
                _("The tender requires grade %(grade)s or higher.") % {"grade": Grade(req.min_grade).label},
            )
        )
    if req.category_id is not None:
        if category_ids is None:
            category_ids = set(organisation.categories.values_list("id", flat=True))
        if req.category_id not in category_ids:
            reasons.append(
                Ineligibility("category_not_served", _("The organisation does not offer this service category."))
            )
    return reasons
