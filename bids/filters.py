"""Public tender list filters, as query parameters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from marketplace.filters import BoundedFilterSet
from marketplace.models import ServiceCategory, StreetOffice

from .models import Tender


class TenderFilter(BoundedFilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title contains"))
    category = django_filters.ModelChoiceFilter(
        queryset=ServiceCategory.objects.all(), to_field_name="code", label=_("Service category")
    )
    office = django_filters.ModelChoiceFilter(queryset=StreetOffice.objects.all(), label=_("Street office"))
    status = django_filters.ChoiceFilter(
        choices=[c for c in Tender.Status.choices if c[0] != Tender.Status.DRAFT], label=_("Status")
    )
    budget_min = django_filters.NumberFilter(field_name="budget_ceiling", lookup_expr="gte", label=_("Budget from"))
    budget_max = django_filters.NumberFilter(field_name="budget_ceiling", lookup_expr="lte", label=_("Budget to"))
    deadline_after = django_filters.DateFilter(
        field_name="submission_deadline", lookup_expr="date__gte", label=_("Deadline from")
    )
    deadline_before = django_filters.DateFilter(
        field_name="submission_deadline", lookup_expr="date__lte", label=_("Deadline until")
    )

    class Meta:
        model = Tender
        fields = []
