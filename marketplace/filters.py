"""FilterSets for the public provider directory and office list. Filters arrive as query parameters."""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .models import District, Grade, Organisation, ServiceCategory, StreetOffice, Track


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))
    category = django_filters.ModelChoiceFilter(
        field_name="categories", queryset=ServiceCategory.objects.all(), to_field_name="code",
        label=_("Service category"),
    )
    office = django_filters.ModelChoiceFilter(
        field_name="home_office", queryset=StreetOffice.objects.all(), label=_("Street office")
    )
    district = django_filters.ModelChoiceFilter(
        field_name="home_office__district", queryset=District.objects.all(), label=_("District")
    )
    track = django_filters.ChoiceFilter(choices=Track.choices, label=_("Track"))
    grade = django_filters.ChoiceFilter(
        choices=Grade.choices, method="filter_min_grade", label=_("Minimum grade")
    )
    min_rating = django_filters.NumberFilter(field_name="rating_score", lookup_expr="gte", label=_("Minimum rating"))
    has_completed = django_filters.BooleanFilter(method="filter_has_completed", label=_("Has completed contracts"))
    sort = django_filters.OrderingFilter(
        fields=(("rating_score", "rating"), ("contracts_completed", "completed"), ("name", "name")),
        field_labels={"rating_score": _("Rating"), "contracts_completed": _("Completed contracts"),
                      "name": _("Name")},
        label=_("Sort by"),
    )

    class Meta:
        model = Organisation
        fields = []

    def filter_min_grade(self, queryset, name, value):
        return queryset.filter(grade__gte=value) if value and value != Grade.NONE else queryset

    def filter_has_completed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(contracts_completed__gt=0) if value else queryset.filter(contracts_completed=0)

    @property
    def qs(self):
        qs = super().qs
        ordering = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        if not ordering:
            qs = qs.order_by(F("rating_score").desc(nulls_last=True), "name")
        elif any(o.lstrip("-") == "rating_score" for o in ordering):
            desc = ordering[0].startswith("-")
            expr = F("rating_score").desc(nulls_last=True) if desc else F("rating_score").asc(nulls_last=True)
            qs = qs.order_by(expr, "name")
        return qs
