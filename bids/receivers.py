"""Publishing a purchase list in Wagtail (any path: the editor, a workflow approval, a scheduled publish)
opens its draft tenders. The catalogue never imports bids; bids listens."""

from django.dispatch import receiver
from wagtail.signals import page_published

from catalogue.models import PurchaseListPage

from . import services


@receiver(page_published, sender=PurchaseListPage)
def open_tenders_on_publish(sender, instance, revision=None, **kwargs):
    actor = getattr(revision, "user", None) if revision is not None else None
    services.tenders_sync_from_purchase_list(actor=actor, page=instance)
