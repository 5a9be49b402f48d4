"""A database outage answers 503 with Retry-After, or the last good copy of a public page: never a 500.

`DatabaseOutageMiddleware` sits outside the session, authentication and view layers. A database error anywhere
inside (view, template, session save) is noted from Django's `got_request_exception` signal, and the 500 that Django
built for it is replaced:

- an anonymous GET of a page kept while the database was up gets that copy, marked with a `Warning` header;
- everything else gets a small page in the request's language (rendered without the database) and
  `Retry-After`.

Only anonymous responses (no session cookie), that set no cookie (no CSRF token, no message) and are not private
are kept, so a signed-in person never sees a page made for someone else.
"""

import hashlib
import logging
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
MAX_KEPT_BYTES = 1024 * 1024


def _note_database_error(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request._database_error = error


got_request_exception.connect(_note_database_error, dispatch_uid="marketplace.outage")


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS as error:  # raised past Django's own handler (by a middleware outside it)
            request._database_error = error
            response = None
        if getattr(request, "_database_error", None) is not None:
            logger.error("database unavailable for %s %s: %s", request.method, request.path,
                         request._database_error)
            return _stale_copy(request) or _unavailable(request)
        _keep(request, response)
        return response


def _anonymous(request) -> bool:
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _key(request) -> str:
    return "outage:page:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def _keep(request, response) -> None:
    if (request.method != "GET" or response is None or response.status_code != 200 or response.streaming
            or not _anonymous(request) or response.cookies
            or not response.get("Content-Type", "").startswith("text/html")
            or len(response.content) > MAX_KEPT_BYTES):
        return
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return
    try:
        cache.set(_key(request), {"content": response.content, "content_type": response["Content-Type"],
                                  "stored": time.time()}, settings.OUTAGE_STALE_PAGE_SECONDS)
    except Exception:  # noqa: BLE001 - keeping a copy is a convenience; the page itself was served
        logger.debug("outage: could not keep a copy of %s", request.path, exc_info=True)


def _stale_copy(request) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD") or not _anonymous(request):
        return None
    try:
        kept = cache.get(_key(request))
    except Exception:  # noqa: BLE001 - the cache is down too
        kept = None
    if not kept:
        return None
    response = HttpResponse(kept["content"], content_type=kept["content_type"])
    response["Warning"] = '110 - "Response is Stale"'
    response["Age"] = str(max(0, int(time.time() - kept["stored"])))
    patch_cache_control(response, no_store=True)
    return response


def _unavailable(request) -> HttpResponse:
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string("marketplace/outage.html", {"language": language,
                                                             "home": "/en/" if language == "en" else "/"})
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response
