from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("Two-way evaluation")

    def ready(self):
        from . import panels, receivers  # noqa: F401
