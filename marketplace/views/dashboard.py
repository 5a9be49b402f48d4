"""The signed-in work pages: the dashboard and an organisation's private page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors
from ..audit import audit_history


@login_required
def dashboard(request):
    return render(
        request,
        "marketplace/dashboard.html",
        {
            "organisations": selectors.organisations_of_user(user=request.user),
            "offices": selectors.offices_of_user(user=request.user),
        },
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "marketplace/organisation_detail.html",
        {
            "organisation": organisation,
            "members": organisation.memberships.select_related("user").order_by("role", "user__email"),
            "history": audit_history(organisation)[:50],
        },
    )
