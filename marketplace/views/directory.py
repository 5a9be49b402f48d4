"""The public directory of social organisations, and the street offices' pages."""

from django.core.paginator import Paginator
from django.shortcuts import render

from .. import selectors

PAGE_SIZE = 20


def provider_list(request):
    """Filters that do not parse are ignored and named on the page; the other filters still apply."""
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
