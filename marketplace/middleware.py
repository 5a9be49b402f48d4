"""Request middleware of the foundation: domain errors rendered in the user's language, and required 2FA."""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

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


def needs_second_factor(user) -> bool:
    """Who must sign in with an authenticator app: street-office staff, platform operators, and every user the
    Django admin would admit (`is_staff`, `is_superuser`), however the account was created."""
    if user.is_superuser or user.is_staff:
        return True
    principal = policy.principal(user)
    return bool(principal.operator or principal.office_roles)


def passed_second_factor(request, user) -> bool:
    """Did THIS session pass the second factor? allauth records every authentication step of a session (password,
    mfa) for the user who took it; a device merely existing proves nothing about the session."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def _has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireTwoFactorMiddleware:
    """Staff (see `needs_second_factor`) reach nothing but the second-factor pages until this session passed it.

    - Without an authenticator app yet, every page sends them to the activation page, except the pages that
      activation itself needs (re-authentication with the password, activation). A successful activation proves
      the new device in this session, so it is recorded as the session's second factor, as allauth records a code.
    - With one, a session that has not passed it (signed in by anything but allauth's login with its code) is sent
      to allauth's code page (`mfa_reauthenticate`) with `next`; nothing else opens, not even the recovery codes.
    Signing out, switching language, static files and /healthz always open. Everyone else is not affected.
    """

    ALWAYS_ALLOWED_URL_NAMES = frozenset({"account_logout", "set_language", "healthz"})
    ACTIVATION_URL_NAMES = frozenset({"mfa_activate_totp", "mfa_index", "account_reauthenticate"})
    CHALLENGE_URL_NAMES = frozenset({"mfa_reauthenticate"})
    ALLOWED_PATH_PREFIXES = (settings.STATIC_URL,)
    MAX_NEXT = 2000  # characters of the page to come back to after the code

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated or request.path.startswith(self.ALLOWED_PATH_PREFIXES)
                or not needs_second_factor(user)):
            return self.get_response(request)
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            name = ""
        if name in self.ALWAYS_ALLOWED_URL_NAMES:
            return self.get_response(request)
        if not _has_totp(user):
            if name not in self.ACTIVATION_URL_NAMES:
                return redirect("mfa_activate_totp")
            response = self.get_response(request)
            if name == "mfa_activate_totp" and request.method == "POST" and response.status_code == 302:
                self._record_activation(request, user)
            return response
        if passed_second_factor(request, user) or name in self.CHALLENGE_URL_NAMES:
            return self.get_response(request)
        # A very long query string would make the redirect itself too long to send (DisallowedRedirect): past
        # MAX_NEXT characters the user comes back to the path alone.
        back = request.get_full_path()
        if len(back) > self.MAX_NEXT:
            back = request.path
        if len(back) > self.MAX_NEXT:
            return redirect("mfa_reauthenticate")
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}")

    @staticmethod
    def _record_activation(request, user) -> None:
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is not None:  # the code was right (a wrong one renders the form again with 200)
            record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type,
                                  activated=True)
