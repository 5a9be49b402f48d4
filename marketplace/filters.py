"""FilterSets for the public provider directory and office list. Filters arrive as query parameters."""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ModelChoiceField

from .inputs import bound_filter_form
from .models import District, Grade, Organisation, ServiceCategory, StreetOffice, Track


class PlainSelect(forms.Select):
    """A <select> written in Python rather than through one template include per option.

    The office filter alone has a hundred options; rendered the usual way, the filter form took a quarter of
    the directory page's time in bench/directory.py. The markup is the same as Django's.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = self.format_value(value)
        selected = {selected} if isinstance(selected, str) else set(selected)
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option, mark_safe(" selected") if str(option) in selected else "", label)  # noqa: S308
             for option, label in self.choices),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           options)


class LabelledModelChoiceField(ModelChoiceField):
    """Options read in the page's language (`label`: the English name under /en/, else the Chinese one)."""

    widget = PlainSelect

    def label_from_instance(self, obj):
        return getattr(obj, "label", str(obj))


class LabelledModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LabelledModelChoiceField


class AnyYesNoSelect(PlainSelect, forms.NullBooleanSelect):
    """Yes / no / either, where Django's default says "Unknown" for "either"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("Any")), ("true", _("Yes")), ("false", _("No")))


class ProviderOrdering(django_filters.OrderingFilter):
    """Sort by rating, completed contracts or name, each both ways.

    Unrated organisations (NULL rating) come last whichever way the rating is sorted, on SQLite and
    PostgreSQL alike (they disagree on where NULLs go by default). Name and id break ties so that
    pagination is stable.
    """

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field_name = self.param_map.get(param.lstrip("-"), param.lstrip("-"))
        if field_name == "rating_score":
            return F(field_name).desc(nulls_last=True) if descending else F(field_name).asc(nulls_last=True)
        return super().get_ordering_value(param)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        return qs.order_by(*ordering, "name", "pk")


SORT_CHOICES = [
    ("-rating", _("Rating, highest first")),
    ("rating", _("Rating, lowest first")),
    ("-completed", _("Most completed contracts")),
    ("completed", _("Fewest completed contracts")),
    ("name", _("Name, ascending")),
    ("-name", _("Name, descending")),
]

# Grades are stored as the digits "0".."5" (see `Grade`), so "at least 3A" is a string comparison
# grade >= "3": correct for single digits, and it uses the column as stored.
MIN_GRADE_CHOICES = [(value, label) for value, label in Grade.choices if value != Grade.NONE]


class BoundedFilterSet(django_filters.FilterSet):
    """The base of every FilterSet of the project: any query string is a form error, never a database error.

    Numbers are bounded and model choices checked for shape before they are looked up (marketplace.inputs.
    bound_filter_form); text already refuses control characters, as every form's does.
    """

    @property
    def form(self):
        if not hasattr(self, "_form"):
            bound_filter_form(super().form)
        return self._form


class ProviderFilter(BoundedFilterSet):
    q = django_filters.CharFilter(method="filter_name", label=_("Name contains"))
    category = LabelledModelChoiceFilter(
        queryset=ServiceCategory.objects.all(), to_field_name="code", method="filter_category",
        label=_("Service category"), empty_label=_("Any"),
    )
    office = LabelledModelChoiceFilter(
        field_name="home_office", queryset=StreetOffice.objects.only("pk", "name", "name_en").order_by("name"),
        label=_("Street office"), empty_label=_("Any"),
    )
    district = LabelledModelChoiceFilter(
        field_name="home_office__district", queryset=District.objects.all(), label=_("District"),
        empty_label=_("Any"),
    )
    track = django_filters.ChoiceFilter(choices=Track.choices, label=_("Track"), empty_label=_("Any"),
                                        widget=PlainSelect)
    grade = django_filters.ChoiceFilter(
        choices=MIN_GRADE_CHOICES, method="filter_min_grade", label=_("Minimum grade"), empty_label=_("Any"),
        widget=PlainSelect,
    )
    min_rating = django_filters.NumberFilter(
        field_name="rating_score", lookup_expr="gte", label=_("Minimum rating"),
        min_value=Decimal("0"), max_value=Decimal("5"),
    )
    has_completed = django_filters.BooleanFilter(
        method="filter_has_completed", label=_("Has completed contracts"), widget=AnyYesNoSelect
    )
    sort = ProviderOrdering(
        fields=(("rating_score", "rating"), ("contracts_completed", "completed"), ("name", "name")),
        choices=SORT_CHOICES, empty_label=None, label=_("Sort by"), widget=PlainSelect,
    )

    class Meta:
        model = Organisation
        fields = []

    def filter_name(self, queryset, name, value):
        # icontains is LIKE on SQLite and UPPER() LIKE UPPER() on PostgreSQL: both match a Chinese substring
        # anywhere in the name (Chinese has no case); the English name is searched too for /en/ readers.
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value))

    def filter_category(self, queryset, name, value):
        # EXISTS rather than a join through the M2M table: one row per organisation, nothing to de-duplicate.
        if not value:
            return queryset
        served = Organisation.categories.through.objects.filter(
            organisation_id=OuterRef("pk"), servicecategory_id=value.pk
        )
        return queryset.filter(Exists(served))

    def filter_min_grade(self, queryset, name, value):
        return queryset.filter(grade__gte=value) if value else queryset

    def filter_has_completed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(contracts_completed__gt=0) if value else queryset.filter(contracts_completed=0)
