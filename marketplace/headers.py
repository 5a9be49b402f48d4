"""Response headers of the whole site: the Content-Security-Policy and `Cache-Control: private, no-store`.

CSP: django-csp's middleware with the policy of settings.CONTENT_SECURITY_POLICY (no inline script, nothing
from other origins, no framing). The Wagtail admin's own templates still carry inline scripts (InlinePanel,
date pickers, ...) and styles (so do django-celery-beat's admin forms), so under settings.CSP_WAGTAIL_ADMIN_PREFIX only, the directives of
settings.CSP_WAGTAIL_ADMIN_DIRECTIVES replace the site's (docs/decisions/0012-safe-output-and-headers.md).

Cache-Control: every response to a signed-in user, and every response under the private areas (sign-in and
account pages, dashboards, both admins) or redirecting into one (to sign in), whoever asks, is `private, no-store`: sealed bids, receipts, files,
contracts and dashboards never stay in a shared cache or in the browser's cache after signing out. Private
files also set it themselves (marketplace.uploads.serve_private). Public pages for anonymous visitors keep
whatever caching they had.
"""

import functools
import re
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import override


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        prefix = getattr(settings, "CSP_WAGTAIL_ADMIN_PREFIX", ())
        if not report_only and prefix and request.path_info.startswith(prefix):
            parts.replace = {**(parts.replace or {}), **settings.CSP_WAGTAIL_ADMIN_DIRECTIVES}
        return parts


@functools.cache
def private_prefixes() -> tuple[str, ...]:
    """The path prefixes (without a language prefix) of the areas that are never public."""
    prefixes = set()
    with override(settings.LANGUAGE_CODE):  # the default language has no prefix in its paths
        for name in ("wagtailadmin_home", "admin:index", "marketplace:dashboard", "account_login", "account_email",
                     "mfa_index"):
            try:
                path = reverse(name)
            except NoReverseMatch:
                continue
            # "/accounts/login/" → "/accounts/"; "/dashboard/" and "/admin/" stay themselves.
            first = "/" + path.strip("/").split("/")[0] + "/"
            prefixes.add(first)
    return tuple(sorted(prefixes))


_LANGUAGE_PREFIX = re.compile("^/(?:{})/".format("|".join(re.escape(code) for code, _name in settings.LANGUAGES)))


def _in_private_area(path: str) -> bool:
    return _LANGUAGE_PREFIX.sub("/", path).startswith(private_prefixes())


def is_private(request, response) -> bool:
    """A signed-in user's response, a page of a private area, or a redirect into one (to sign in, say)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if _in_private_area(request.path_info):
        return True
    return response.status_code in (301, 302, 303, 307, 308) and _in_private_area(
        urlsplit(response.get("Location", "")).path)


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every private response (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request, response):
            patch_cache_control(response, private=True, no_store=True)  # drops a "public" it finds
        return response
