"""Template tags for payment pages: whether online payment (Stripe) is configured, and in test mode."""

from django import template
from django.conf import settings

from ..stripe_client import stripe_enabled

register = template.Library()


@register.simple_tag
def payments_online() -> bool:
    return stripe_enabled()


@register.simple_tag
def stripe_test_mode() -> bool:
    """Test keys: the pay form offers Stripe's test cards instead of a payment method id."""
    return settings.STRIPE_SECRET_KEY.startswith("sk_test_")
