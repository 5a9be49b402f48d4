"""Values every page needs: the roles of the signed-in user (asked of the policy module) and Stripe's mode."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import policy


def platform(request):
    user = getattr(request, "user", None)
    return {
        "principal": SimpleLazyObject(lambda: policy.principal(user)),
        "payments_online": bool(settings.STRIPE_SECRET_KEY),
    }
