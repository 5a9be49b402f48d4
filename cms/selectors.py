"""What the home page shows: open tenders, top-rated providers and headline figures."""

from django.db.models import F, Sum
from django.utils import timezone

from bids.models import Tender
from contracts.models import Contract
from marketplace.models import Organisation


def home_figures() -> dict:
    year = timezone.localdate().year
    verified = Organisation.objects.filter(status=Organisation.Status.VERIFIED)
    open_tenders = Tender.objects.filter(status=Tender.Status.PUBLISHED).select_related("office")
    contracted = Contract.objects.filter(created_at__year=year).exclude(status=Contract.Status.DRAFT)
    return {
        "open_tenders": open_tenders.order_by("submission_deadline")[:6],
        "top_providers": verified.filter(rating_count__gt=0).order_by(F("rating_score").desc(nulls_last=True))[:6],
        "figures": {
            "organisations": verified.count(),
            "open_tenders": open_tenders.count(),
            "contracted_value": contracted.aggregate(total=Sum("value"))["total"] or 0,
        },
    }
