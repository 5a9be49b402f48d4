"""Site pages: home, standard and help pages, news; site settings and the navigation menu."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from catalogue.search import bigram_text

from .blocks import BaseStreamBlock


def _bigrams(page, body, *extra) -> str:
    """Chinese text as overlapping character pairs, so search finds words inside longer text (catalogue.search)."""
    return bigram_text([page.title, *extra, *body.stream_block.get_searchable_content(body)])


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["catalogue.CatalogueIndexPage", "cms.StandardPage", "cms.NewsIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_figures())
        return context


class StandardPage(Page):
    """A policy, help or about page."""

    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
    search_fields = Page.search_fields + [index.SearchField("body"), index.SearchField("search_bigrams")]

    class Meta:
        verbose_name = _("standard page")

    def search_bigrams(self) -> str:
        return _bigrams(self, self.body)


class NewsIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news"] = NewsPage.objects.child_of(self).live().order_by("-date")
        return context


class NewsPage(Page):
    date = models.DateField(_("date"))
    summary = models.CharField(_("summary"), max_length=250, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("date"), FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("search_bigrams"),
    ]

    class Meta:
        verbose_name = _("news page")

    def search_bigrams(self) -> str:
        return _bigrams(self, self.body, self.summary)


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    footer_text = models.CharField(_("footer text"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("site settings")


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting, ClusterableModel):
    panels = [InlinePanel("links", label=_("Links"))]

    class Meta:
        verbose_name = _("navigation menu")


class NavigationLink(Orderable):
    setting = ParentalKey(NavigationSettings, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=40)
    label_en = models.CharField(_("English label"), max_length=40, blank=True)
    url = models.CharField(_("link"), max_length=200)

    panels = [FieldPanel("label"), FieldPanel("label_en"), FieldPanel("url")]
