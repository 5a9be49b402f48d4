"""One way in: the Django admin's and Wagtail's own sign-in and password-reset forms lead to allauth's.

Those forms check the password alone, with no second factor and no rate limit. Their URLs stay (the admins
reverse them), but every request to them, GET or POST, is sent to allauth's page; nothing is authenticated here.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache


def _with_next(url_name: str, request, default_next: str):
    next_url = request.GET.get("next") or default_next
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = default_next
    return redirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


@never_cache
def admin_login(request, default_next: str = "/"):
    """Instead of `/django-admin/login/` and `/admin/login/`: allauth's sign-in (password, then the code)."""
    return _with_next("account_login", request, default_next)


@never_cache
def admin_password_reset(request, **kwargs):
    """Instead of Wagtail's password reset: allauth's, which is rate-limited and never signs anyone in."""
    return redirect("account_reset_password")
