"""The catalogue reacts to foundation events (a new office gets its folder, staff get their Wagtail groups) and
to its own publishing (a published purchase list is indexed again once its lines are saved)."""

from django.dispatch import receiver
from wagtail.search import index
from wagtail.signals import page_published

from marketplace.signals import office_created, office_staff_changed

from . import services
from .models import PurchaseListPage


@receiver(office_created)
def on_office_created(sender, office, actor=None, **kwargs):
    services.office_catalogue_setup(actor=actor, office=office)


@receiver(office_staff_changed)
def on_office_staff_changed(sender, office, user, **kwargs):
    services.office_editor_sync(office=office, user=user)


@receiver(page_published, sender=PurchaseListPage)
def reindex_purchase_list(sender, instance, **kwargs):
    # The search index is written on the page's post_save, before the lines of the new revision are saved;
    # index the list again now that they are, so its lines can be found.
    index.insert_or_update_object(instance)
