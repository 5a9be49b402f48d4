"""Request middleware of the foundation: domain errors rendered in the user's language, and required 2FA."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve

from . import policy
from .errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return render(
            request,
            "errors/domain_error.html",
            {"error": exception, "reasons": exception.reasons},
            status=exception.status,
        )


class RequireTwoFactorMiddleware:
    """Street-office staff and platform operators must use an authenticator app (TOTP).

    Until they have activated one, every page sends them to the activation page, except the pages that
    activation itself needs (allauth's MFA pages, re-authentication), signing out, switching language,
    static files and /healthz. Everyone else (organisations' members, the public) is not affected.
    """

    ALLOWED_URL_NAMES = frozenset({"account_logout", "account_reauthenticate", "set_language", "healthz"})
    ALLOWED_PATH_PREFIXES = (settings.STATIC_URL,)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_activate(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_activate(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(self.ALLOWED_PATH_PREFIXES):
            return False
        principal = policy.principal(user)
        if not (principal.operator or principal.office_roles):
            return False
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return False
        if name.startswith("mfa_") or name in self.ALLOWED_URL_NAMES:
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
