"""Wagtail admin hooks of the catalogue: the spreadsheet import page and its menu item."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views_admin import can_import_catalogue, catalogue_import_view


@hooks.register("register_admin_urls")
def register_catalogue_import_url():
    return [path("catalogue/import/", catalogue_import_view, name="catalogue_import")]


class CatalogueImportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_import_catalogue(request.user)


@hooks.register("register_admin_menu_item")
def register_catalogue_import_menu_item():
    return CatalogueImportMenuItem(_("Import catalogue"), reverse("catalogue_import"), icon_name="upload",
                                   order=850)
