"""PDF rendering shared by every app: a Django template under templates/pdf/ → A4 PDF bytes (WeasyPrint).

Chinese text uses the Noto CJK fonts installed with the system packages; WeasyPrint embeds the subset used
(libharfbuzz-subset0 keeps that fast). Page numbers and a running title come from CSS @page rules.
"""

import hashlib
import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _


def _css_string(text: str) -> str:
    """A CSS string literal, safe inside <style> (no quote, backslash or tag can break out)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n\r' else ch for ch in str(text))
    return f'"{escaped}"'


def _page_counter_css() -> str:
    """The page footer as a CSS `content` value, e.g. "第 " counter(page) " 页，共 " counter(pages) " 页"."""
    parts = re.split(r"(\{page\}|\{pages\})", _("Page {page} of {pages}"))
    return " ".join(f"counter({part[1:-1]})" if part in ("{page}", "{pages}") else _css_string(part)
                    for part in parts if part)


def render_pdf(template_name: str, context: dict, *, base_url: str, running_title: str = "") -> bytes:
    """Render a template under catalogue/pdf/ to PDF bytes; `running_title` is printed atop every page."""
    from weasyprint import HTML  # imported here: loading Pango and fonts is slow and only PDFs need it

    html = render_to_string(template_name, {
        **context,
        "generated_at": timezone.localtime(),
        "page_counter_css": _page_counter_css(),
        "running_title_css": _css_string(running_title),
    })
    return HTML(string=html, base_url=base_url).write_pdf()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
