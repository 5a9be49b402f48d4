"""Public directory, office pages, the dashboard and the health check. Views stay thin."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors
from .audit import audit_history

PAGE_SIZE = 20


@never_cache
@require_GET
def healthz(request):
    """Liveness: can we reach the database and the broker? No secrets, no details beyond ok/error."""
    from config.celery_app import app as celery_app

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        checks["database"] = "error"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception:  # noqa: BLE001
        checks["broker"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def provider_list(request):
    filterset = selectors.provider_filterset(filters=request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "marketplace/provider_list.html",
        {"filter": filterset, "page_obj": page, "query": query.urlencode()},
    )


def provider_detail(request, pk: int):
    organisation = selectors.provider_get(pk=pk)
    return render(request, "marketplace/provider_detail.html", {"organisation": organisation})


def office_list(request):
    return render(request, "marketplace/office_list.html", {"offices": selectors.office_list()})


def office_detail(request, pk: int):
    return render(request, "marketplace/office_detail.html", {"office": selectors.office_get(pk=pk)})


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
