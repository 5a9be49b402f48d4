"""The last resort when the embedded database stays busy: a "busy, try again" page that keeps what was typed.

On SQLite, a write that waited its whole turn (the busy timeout, after the fair queue of config/sqlite.py) fails
with "database is locked". Nothing was written by the transaction that failed, so sending the same form again is
safe. `DatabaseBusyMiddleware` answers such a request with 503 and `Retry-After`, in the request's language:
for a form POST the page carries the fields that were sent (except files and the CSRF token) in a form that
posts them again to the same address, so the person presses one button instead of typing again; for a GET it
offers to load the page again. Other database errors (a server that is down) are left to marketplace.outage.
"""

import logging

from django.conf import settings
from django.db import OperationalError, connection
from django.shortcuts import render
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

BUSY_MESSAGES = ("database is locked", "database table is locked", "database schema is locked")
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})


def is_busy_error(exception: BaseException) -> bool:
    return (isinstance(exception, OperationalError) and connection.vendor == "sqlite"
            and any(message in str(exception) for message in BUSY_MESSAGES))


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy_error(exception):
            return None
        logger.warning("database busy for %s %s: %s", request.method, request.path, exception)
        fields = []
        if request.method == "POST":
            fields = [(name, value) for name, values in request.POST.lists() if name not in NOT_KEPT
                      for value in values]
        response = render(request, "marketplace/busy.html", {
            "fields": fields, "had_files": request.method == "POST" and bool(request.FILES),
            "action": request.get_full_path(), "retry_after": settings.DATABASE_BUSY_RETRY_AFTER,
        }, status=503)
        response["Retry-After"] = str(settings.DATABASE_BUSY_RETRY_AFTER)
        patch_cache_control(response, no_store=True)
        return response
