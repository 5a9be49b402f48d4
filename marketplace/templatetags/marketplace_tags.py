"""Template tags: panels from higher apps, money in yuan, and bilingual labels."""

from decimal import Decimal

from django import template
from django.utils.safestring import mark_safe

from .. import panels as panel_registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot, obj=None):
    return mark_safe("".join(panel_registry.render(slot, context["request"], obj)))  # noqa: S308


@register.filter
def yuan(value):
    """¥12,345.60 — CNY, two decimals, thousands separated."""
    if value in (None, ""):
        return ""
    return f"¥{Decimal(value):,.2f}"


@register.filter
def label(obj):
    return getattr(obj, "label", obj)
