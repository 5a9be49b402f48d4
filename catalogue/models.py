"""The Wagtail catalogue: service categories and items, and each street office's yearly purchase lists.

Tree (enforced by parent_page_types / subpage_types):

    CatalogueIndexPage (/catalogue/)
    ├── ServiceCategoryPage → ServiceItemPage
    └── PurchaseListIndexPage (/catalogue/lists/)
        └── OfficePurchaseListsPage (one per office; the office's Wagtail permissions are set here)
            └── PurchaseListPage (one per office and year)
"""

import uuid
from decimal import Decimal

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from marketplace.models import Grade, ServiceCategory, StreetOffice, money_field
from marketplace.templatetags.marketplace_tags import yuan

from .guards import line_removal_problems
from .search import bigram_text


class CatalogueIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["catalogue.ServiceCategoryPage", "catalogue.PurchaseListIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("service catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["categories"] = (
            ServiceCategoryPage.objects.child_of(self).live().select_related("category").order_by("path")
        )
        return context


class ServiceCategoryPage(Page):
    category = models.OneToOneField(
        ServiceCategory, on_delete=models.PROTECT, related_name="page", verbose_name=_("service category")
    )
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("category"), FieldPanel("intro")]
    parent_page_types = ["catalogue.CatalogueIndexPage"]
    subpage_types = ["catalogue.ServiceItemPage"]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("search_bigrams")]

    class Meta:
        verbose_name = _("service category page")

    def search_bigrams(self) -> str:
        return bigram_text([self.title, self.intro, self.category.name if self.category_id else ""])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = ServiceItemPage.objects.child_of(self).live().order_by("path")
        return context


class IndicatorBlock(blocks.StructBlock):
    """A performance indicator used at acceptance (绩效指标)."""

    name = blocks.CharBlock(label=_("indicator"))
    target = blocks.CharBlock(label=_("target"))
    measurement = blocks.CharBlock(label=_("how it is measured"))

    class Meta:
        icon = "tick-inverse"
        label = _("Performance indicator")


class ServiceItemPage(Page):
    code = models.CharField(_("item code"), max_length=20, blank=True)
    title_en = models.CharField(_("English title"), max_length=255, blank=True)
    description = RichTextField(_("description"))
    service_standard = RichTextField(_("service standard"))
    unit = models.CharField(_("unit"), max_length=30, help_text=_("For example: person-year, session, household."))
    price_min = money_field(_("reference price from"))
    price_max = money_field(_("reference price to"))
    indicators = StreamField([("indicator", IndicatorBlock())], blank=True, verbose_name=_("performance indicators"))
    allow_registered = models.BooleanField(_("registered organisations may deliver"), default=True)
    allow_filed = models.BooleanField(_("filed organisations may deliver"), default=True)
    min_grade = models.CharField(_("default minimum grade"), max_length=1, choices=Grade.choices, default=Grade.NONE)

    content_panels = Page.content_panels + [
        FieldPanel("title_en"),
        FieldPanel("code"),
        FieldPanel("description"),
        FieldPanel("service_standard"),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("price_min"), FieldPanel("price_max")],
                      heading=_("Unit and reference price")),
        FieldPanel("indicators"),
        MultiFieldPanel(
            [FieldPanel("allow_registered"), FieldPanel("allow_filed"), FieldPanel("min_grade")],
            heading=_("Who may deliver it"),
        ),
    ]
    parent_page_types = ["catalogue.ServiceCategoryPage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.SearchField("title_en"),
        index.SearchField("service_standard"),
        index.SearchField("search_bigrams"),
        index.AutocompleteField("title"),
    ]

    class Meta:
        verbose_name = _("service item")

    def clean(self):
        super().clean()
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValidationError({"price_max": _("The upper reference price must not be below the lower one.")})

    def search_bigrams(self) -> str:
        indicators = [block.value.get("name") for block in self.indicators if block.block_type == "indicator"]
        return bigram_text([self.title, self.description, self.service_standard, self.unit, *indicators])

    @property
    def label(self) -> str:
        return self.title_en if self.title_en and (get_language() or "").startswith("en") else self.title

    @property
    def category(self) -> ServiceCategory:
        return self.get_parent().specific.category

    @property
    def allowed_tracks(self) -> frozenset[str]:
        return frozenset(t for t, ok in (("registered", self.allow_registered), ("filed", self.allow_filed)) if ok)

    def indicator_snapshot(self) -> list[dict]:
        """The indicators as plain data, copied into tenders and contracts so later edits do not rewrite them."""
        return [dict(block.value) for block in self.indicators if block.block_type == "indicator"]


class PurchaseListIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["catalogue.CatalogueIndexPage"]
    subpage_types = ["catalogue.OfficePurchaseListsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("purchase lists")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lists"] = (
            PurchaseListPage.objects.descendant_of(self).live().select_related("office").order_by("-year", "office")
        )
        return context


class OfficePurchaseListsPage(Page):
    """One street office's folder of purchase lists. Its Wagtail permissions belong to that office's groups."""

    office = models.OneToOneField(
        StreetOffice, on_delete=models.PROTECT, related_name="purchase_lists_folder", verbose_name=_("office")
    )

    content_panels = Page.content_panels + [FieldPanel("office")]
    parent_page_types = ["catalogue.PurchaseListIndexPage"]
    subpage_types = ["catalogue.PurchaseListPage"]

    class Meta:
        verbose_name = _("office purchase lists")


class PurchaseListPageForm(WagtailAdminPageForm):
    """Takes the office from the folder the list is created in, and keeps one list per office and year.

    A budget outside its item's reference price × quantity needs the editor's confirmation, and removing a line is
    refused when a registered guard (the tendering app's) says its tender is already under way.
    """

    confirm_budgets = forms.BooleanField(
        label=_("I confirm the budgets outside the reference range"),
        required=False,
        help_text=_("Needed only when a line's budget is outside its item's reference price times the quantity."),
    )

    def clean(self):
        cleaned = super().clean()
        page = self.instance
        if not page.office_id and self.parent_page is not None:
            parent = self.parent_page.specific
            if isinstance(parent, OfficePurchaseListsPage):
                page.office = parent.office
        year = cleaned.get("year")
        if page.office_id and year:
            clash = PurchaseListPage.objects.filter(office_id=page.office_id, year=year).exclude(pk=page.pk)
            if clash.exists():
                self.add_error("year", _("This office already has a purchase list for %(year)s.") % {"year": year})
        lines = self.formsets.get("lines")
        if lines is not None and lines.is_valid():
            kept = [
                form for form in lines.forms
                if (form.instance.pk or form.has_changed()) and not form.cleaned_data.get("DELETE")
            ]
            self._check_budgets(kept, confirmed=cleaned.get("confirm_budgets"))
            self._check_removals(lines, kept)
        return cleaned

    def _check_budgets(self, kept_forms, *, confirmed: bool) -> None:
        outside = []
        for form in kept_forms:
            data = form.cleaned_data
            item, quantity, budget = data.get("item"), data.get("quantity"), data.get("budget")
            if item is None or not quantity or budget is None:
                continue
            item = item.specific
            low, high = item.price_min * quantity, item.price_max * quantity
            if not low <= budget <= high:
                outside.append(
                    _("“%(line)s”: budget %(budget)s is outside %(low)s–%(high)s (%(quantity)s × %(min)s–%(max)s).")
                    % {"line": data.get("title") or item.title, "budget": yuan(budget), "low": yuan(low),
                       "high": yuan(high), "quantity": quantity, "min": yuan(item.price_min),
                       "max": yuan(item.price_max)}
                )
        if outside and not confirmed:
            self.add_error("confirm_budgets", [
                _("Some budgets are outside the reference range. Check them, then tick this box to confirm."),
                *outside,
            ])

    def _check_removals(self, lines, kept_forms) -> None:
        """Lines that were published (they have a row) and are no longer in the submitted list are being removed."""
        page = self.instance
        known = {obj.key for obj in lines.get_queryset() if obj.pk}
        if page.pk:
            known |= set(PurchaseLine.objects.filter(page_id=page.pk).values_list("key", flat=True))
        removed = known - {form.instance.key for form in kept_forms}
        problems = line_removal_problems(removed)
        if problems:
            self.add_error(None, [_("These lines cannot be removed:"), *problems])


class PurchaseListPage(Page):
    office = models.ForeignKey(
        StreetOffice, on_delete=models.PROTECT, related_name="purchase_lists", verbose_name=_("office"),
        editable=False,
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    intro = RichTextField(_("introduction"), blank=True)

    base_form_class = PurchaseListPageForm
    content_panels = Page.content_panels + [
        FieldPanel("year"),
        FieldPanel("intro"),
        InlinePanel("lines", label=_("Lines"), min_num=1),
        FieldPanel("confirm_budgets"),
    ]
    parent_page_types = ["catalogue.OfficePurchaseListsPage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("search_bigrams")]

    class Meta:
        verbose_name = _("yearly purchase list")
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="one_purchase_list_per_office_year")]

    @property
    def total_budget(self) -> Decimal:
        return sum((line.budget or Decimal(0) for line in self.lines.all()), Decimal(0))

    def search_bigrams(self) -> str:
        lines = list(self.lines.select_related("item"))
        return bigram_text([self.title, self.intro, self.office.name if self.office_id else "",
                            *(text for line in lines for text in (line.title, line.notes, line.item.title))])


class PurchaseLine(Orderable):
    """One line of a purchase list. `key` is stable across revisions, so republishing finds its tender again."""

    page = ParentalKey(PurchaseListPage, on_delete=models.CASCADE, related_name="lines")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    item = models.ForeignKey(
        ServiceItemPage, on_delete=models.PROTECT, related_name="purchase_lines", verbose_name=_("service item")
    )
    title = models.CharField(_("title"), max_length=150)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    budget = money_field(_("budget"), validators=[MinValueValidator(Decimal("0.01"))])
    planned_month = models.PositiveSmallIntegerField(
        _("planned tender month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    notes = models.TextField(_("notes"), blank=True)

    panels = [
        FieldPanel("item"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("quantity"), FieldPanel("budget"), FieldPanel("planned_month")]),
        FieldPanel("notes"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("purchase list line")

    def __str__(self):
        return self.title


class OfficeEditorGroups(models.Model):
    """The Wagtail groups of one office: editors (procurement officers) and approvers (heads)."""

    office = models.OneToOneField(StreetOffice, on_delete=models.CASCADE, related_name="editor_groups")
    editors = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+")
    approvers = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return str(self.office)
