"""An Atom feed of newly published tenders, for anyone who follows procurement notices."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketplace.safe_text import xml_text

from .models import Tender


def _xml_safe(value):
    if isinstance(value, str | Promise):
        return xml_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(v) for v in value)
    return value


class XMLSafeAtom1Feed(Atom1Feed):
    """Atom, with every text of the feed and its entries made XML 1.0 character data first (a title with a
    control character would otherwise make the whole feed a 500 for everyone)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_xml_safe, args), **{k: _xml_safe(v) for k, v in kwargs.items()})


class TendersFeed(Feed):
    feed_type = XMLSafeAtom1Feed
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
