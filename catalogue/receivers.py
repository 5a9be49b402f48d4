"""The catalogue reacts to foundation events: a new office gets its folder, staff get their Wagtail groups."""

from django.dispatch import receiver

from marketplace.signals import office_created, office_staff_changed

from . import services


@receiver(office_created)
def on_office_created(sender, office, actor=None, **kwargs):
    services.office_catalogue_setup(actor=actor, office=office)


@receiver(office_staff_changed)
def on_office_staff_changed(sender, office, user, **kwargs):
    services.office_editor_sync(office=office, user=user)
