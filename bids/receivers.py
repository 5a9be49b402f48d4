"""Publishing a purchase list in Wagtail (any path: the editor, a workflow approval, a scheduled publish)
opens its draft tenders, and a line whose tender is under way cannot be removed from the list. The catalogue
never imports bids; bids listens and registers its guard."""

from django.dispatch import receiver
from django.utils.translation import gettext as _
from wagtail.signals import page_published

from catalogue.guards import register_line_removal_guard
from catalogue.models import PurchaseListPage

from . import services
from .models import Tender


@receiver(page_published, sender=PurchaseListPage)
def open_tenders_on_publish(sender, instance, revision=None, **kwargs):
    actor = getattr(revision, "user", None) if revision is not None else None
    services.tenders_sync_from_purchase_list(actor=actor, page=instance)


@register_line_removal_guard
def refuse_removing_lines_with_tenders_under_way(keys):
    """A line whose tender has left draft (published, under evaluation, awarded...) stays on the list; a draft
    tender is cancelled when its line goes, and a cancelled one no longer matters."""
    allowed = (Tender.Status.DRAFT, Tender.Status.CANCELLED)
    under_way = Tender.objects.filter(line_key__in=keys).exclude(status__in=allowed).order_by("pk")
    return [
        _("“%(title)s”: its tender is already %(status)s, so the line stays on the list.")
        % {"title": tender.title, "status": tender.get_status_display()}
        for tender in under_way
    ]
