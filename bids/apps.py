from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BidsConfig(AppConfig):
    name = "bids"
    verbose_name = _("Tendering")

    def ready(self):
        from . import panels, receivers  # noqa: F401
