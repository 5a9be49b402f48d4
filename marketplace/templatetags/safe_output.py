"""Template filters that write user text into contexts other than HTML (see marketplace/safe_text.py).

    {% load safe_output %}
    @top-left { content: {{ running_title|css_string }}; }
"""

from django import template
from django.utils.safestring import mark_safe

from .. import safe_text

register = template.Library()


@register.filter
def css_string(value):
    """A quoted CSS string literal of `value`, safe inside <style> (see safe_text.css_string)."""
    return mark_safe(safe_text.css_string("" if value is None else value))  # noqa: S308 - every special char is escaped


@register.filter(is_safe=True)
def one_line(value):
    """`value` with control characters as spaces. It adds no HTML special character, so escaped input stays
    escaped (is_safe) and unescaped input is still autoescaped."""
    return safe_text.one_line("" if value is None else value)
