from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .validators import refuse_control_characters_in_every_text_field

# One rule for every text input of every form: ours, Wagtail's page, snippet and settings forms, the Django admin's
# and allauth's. It is set here, when Django loads the app configurations and before any models, admin or forms
# module creates a form field, because a field takes its default validators when it is created.
refuse_control_characters_in_every_text_field()


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")
