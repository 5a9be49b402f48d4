"""Panels that tendering adds to the dashboard: the office's tenders, and the organisation's bids."""

from marketplace import panels, policy

from . import selectors
from .models import Bid


@panels.register("dashboard", order=10)
def my_tenders(request, _obj):
    p = policy.principal(request.user)
    context = {}
    if p.office_roles:
        context["office_tenders"] = selectors.office_tender_list(user=request.user)[:20]
    if p.org_roles:
        context["my_bids"] = (
            Bid.objects.filter(organisation_id__in=p.organisation_ids)
            .exclude(status=Bid.Status.SUPERSEDED)
            .select_related("tender", "organisation")
            .order_by("-created_at")[:20]
        )
    return ("bids/panel_dashboard.html", context) if context else None
