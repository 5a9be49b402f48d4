"""Public catalogue views outside the Wagtail page tree: the site search."""

from django.core.paginator import Paginator
from django.shortcuts import render

from marketplace.errors import ValidationFailed
from marketplace.inputs import text_param

from .search import MAX_QUERY_LENGTH, page_search

PAGE_SIZE = 20


def search(request):
    """Search the catalogue, the published purchase lists and the news, in Chinese or English words."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    try:
        text_param({"q": query}, "q")
        error = None
    except ValidationFailed as exc:  # a control character: say so next to the box, which keeps what was typed
        error = exc
    page_obj = Paginator(page_search(query), PAGE_SIZE).get_page(request.GET.get("page")) if query and not error \
        else None
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "catalogue/search.html",
                  {"q": query, "page_obj": page_obj, "query": params.urlencode(), "error": error},
                  status=400 if error else 200)
