"""An Atom feed of newly published tenders, for anyone who follows procurement notices."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Tender


class TendersFeed(Feed):
    feed_type = Atom1Feed
    title = _("Newly published tenders")
    subtitle = _("Tenders of the street offices, newest first.")

    def link(self):
        return reverse("bids:tender_list")

    def items(self):
        return (Tender.objects.filter(status__in=Tender.PUBLIC_STATUSES, published_at__isnull=False)
                .select_related("office").order_by("-published_at")[:50])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return _("%(office)s · budget ceiling ¥%(budget)s · deadline %(deadline)s") % {
            "office": item.office.label, "budget": f"{item.budget_ceiling:,.2f}",
            "deadline": item.submission_deadline.strftime("%Y-%m-%d %H:%M") if item.submission_deadline else "—",
        }

    def item_link(self, item):
        return reverse("bids:tender_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at
