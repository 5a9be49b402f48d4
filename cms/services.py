"""Site set-up: the page tree every installation needs, created idempotently."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from catalogue.models import CatalogueIndexPage, PurchaseListIndexPage
from catalogue.services import office_catalogue_setup
from marketplace.models import StreetOffice

from .models import HomePage, NewsIndexPage


def _child(parent: Page, model, *, slug: str, title: str, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    return existing or parent.add_child(instance=model(slug=slug, title=title, **fields))


@transaction.atomic
def site_setup(*, actor=None, hostname: str = "localhost", port: int = 80) -> HomePage:
    """Home, catalogue, purchase-list index and news index; the default site points at home.

    Replaces Wagtail's placeholder welcome page. Every office gets its purchase-list folder and groups.
    """
    # A database emptied by a flush (a test, or a restore gone wrong) has lost Wagtail's root and locale too.
    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePage.objects.first()
    if home is None:
        placeholder = Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore")
        for page in placeholder:
            Site.objects.filter(root_page=page).delete()
            page.delete()
        home = root.add_child(instance=HomePage(title="首页", slug="home", draft_title="首页"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True,
                            site_name=_("Community Services Procurement Platform"))
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
    catalogue = _child(home, CatalogueIndexPage, slug="catalogue", title="服务目录")
    _child(catalogue, PurchaseListIndexPage, slug="lists", title="年度购买服务清单")
    _child(home, NewsIndexPage, slug="news", title="新闻动态")
    for office in StreetOffice.objects.all():
        office_catalogue_setup(actor=actor, office=office)
    return home
