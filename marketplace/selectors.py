"""Reads with rules: what the public may see of organisations and offices, and per-user lookups."""

from django.db.models import Count, F, Q, QuerySet

from . import policy
from .errors import NotFound
from .filters import ProviderFilter
from .models import Organisation, StreetOffice

PUBLIC_STATUSES = (Organisation.Status.VERIFIED, Organisation.Status.SUSPENDED, Organisation.Status.REMOVED)


def provider_filterset(*, filters=None) -> ProviderFilter:
    """The public directory: verified organisations, filtered and sorted from query parameters.

    Returns the FilterSet so the page can show its form; `.qs` is the list.
    """
    qs = (
        Organisation.objects.filter(status=Organisation.Status.VERIFIED)
        .select_related("home_office")
        .defer("description", "rating_breakdown", "home_office__rating_breakdown")  # the list shows neither
        # The default order, unless the query asks for another: best rated first, unrated last.
        .order_by(F("rating_score").desc(nulls_last=True), "name", "pk")
    )
    return ProviderFilter(filters or {}, queryset=qs)


def provider_get(*, pk: int) -> Organisation:
    """A public profile. Pending or rejected applications are not public: they are 'not found'."""
    org = (
        Organisation.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
        .select_related("home_office__district")
        .prefetch_related("categories")
        .first()
    )
    if org is None:
        raise NotFound()
    return org


def organisation_get_for_user(*, user, pk: int) -> Organisation:
    """An organisation's private view, for its members, operators and (filed) its office; else 'not found'."""
    org = Organisation.objects.filter(pk=pk).select_related("home_office").first()
    if org is None or not policy.can_view_organisation_private(user, org):
        raise NotFound()
    return org


def organisations_of_user(*, user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=policy.principal(user).organisation_ids).order_by("name")


def office_list() -> QuerySet[StreetOffice]:
    return (
        StreetOffice.objects.select_related("district")
        .annotate(n_filed=Count("filed_organisations", filter=Q(filed_organisations__status="verified")))
        # The ranking: best Bayesian score first, unrated offices last, then by name.
        .order_by(F("rating_score").desc(nulls_last=True), "name", "pk")
    )


def office_get(*, pk: int) -> StreetOffice:
    office = StreetOffice.objects.select_related("district").filter(pk=pk).first()
    if office is None:
        raise NotFound()
    return office


def offices_of_user(*, user) -> QuerySet[StreetOffice]:
    return StreetOffice.objects.filter(pk__in=policy.principal(user).office_ids).order_by("name")
