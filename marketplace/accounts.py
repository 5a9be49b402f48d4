"""allauth's account adapter: where the client IP of a request comes from (for the login and sign-up limits).

allauth takes it from `ALLAUTH_TRUSTED_CLIENT_IP_HEADER` or the last `ALLAUTH_TRUSTED_PROXY_COUNT` entries of
X-Forwarded-For (settings read from the environment; default: no proxy trusted, REMOTE_ADDR). When a request
did not come through the configured proxies (the header is missing or X-Forwarded-For is shorter than the
proxy count), allauth answers with an error page; here the peer's own address is used instead, which is what
that request really came from.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        try:
            return super().get_client_ip(request)
        except (ImproperlyConfigured, PermissionDenied):
            remote_addr = request.META.get("REMOTE_ADDR")
            if not remote_addr:
                raise PermissionDenied("Unable to determine client IP address") from None
            return remote_addr
