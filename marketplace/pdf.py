"""PDF rendering shared by every app: a Django template → A4 PDF bytes (WeasyPrint).

Chinese text uses the Noto CJK fonts installed with the system packages; WeasyPrint embeds the subset used
(libharfbuzz-subset0 keeps that fast). Page numbers and a running title come from CSS @page rules; the title
is written there with the `css_string` filter (marketplace/safe_text.py), so no title can end the CSS string.

Every PDF goes through `html_to_pdf`, whose URL fetcher never touches the network or the file system at
large: it reads the project's own static files (the staticfiles storage and finders) and public media
(MEDIA_ROOT) from disk, allows `data:` URLs, and refuses everything else (http(s) elsewhere, file:, ftp:, ...).
WeasyPrint logs a refused resource as a warning and renders the rest. No other module calls WeasyPrint.
"""

import functools
import hashlib
import mimetypes
import os
import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .safe_text import css_string, pdf_markup


class RefusedURL(ValueError):
    """A PDF asked for a resource outside the project's static and public media files."""


def _page_counter_css() -> str:
    """The page footer as a CSS `content` value, e.g. "第 " counter(page) " 页，共 " counter(pages) " 页"."""
    parts = re.split(r"(\{page\}|\{pages\})", _("Page {page} of {pages}"))
    return " ".join(f"counter({part[1:-1]})" if part in ("{page}", "{pages}") else css_string(part)
                    for part in parts if part)


# --- Resources a PDF may use ---------------------------------------------------------------------------------


def _relative(url: str, prefix: str) -> str | None:
    """The file path under `prefix` that `url` names, or None when it is not under it or tries to climb out."""
    if not url.startswith(prefix):
        return None
    path = unquote(urlsplit(url[len(prefix):]).path)
    if not path or "\x00" in path or "\\" in path:
        return None
    normal = posixpath.normpath(path)
    if normal.startswith(("/", "..")) or normal in (".", ""):
        return None
    return normal


def _inside(path: str, root) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return os.path.isfile(real) and os.path.commonpath([real, top]) == top


def _static_file(name: str) -> str | None:
    """A static file by its URL path: the collected copy (hashed names included) or, before collectstatic,
    the finders' source file."""
    try:
        collected = staticfiles_storage.path(name)
    except NotImplementedError:  # a storage without local paths
        collected = None
    if collected and settings.STATIC_ROOT and _inside(collected, settings.STATIC_ROOT):
        return collected
    found = finders.find(name)
    return found if isinstance(found, str) and os.path.isfile(found) else None


def _media_file(name: str) -> str | None:
    if not settings.MEDIA_ROOT:
        return None
    path = os.path.join(settings.MEDIA_ROOT, name)
    return path if _inside(path, settings.MEDIA_ROOT) else None


def local_resource(url: str, *, base_url: str) -> tuple[bytes, str]:
    """(content, MIME type) of a resource a PDF asks for, read from disk; RefusedURL for anything else.

    Allowed: `data:` URLs, and URLs under STATIC_URL or MEDIA_URL as resolved against `base_url` (only their
    path is used: nothing is requested over the network).
    """
    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        with DataHandler().data_open(Request(url)) as response:  # noqa: S310 - data: only, decoded in memory
            return response.read(), response.headers.get_content_type()
    if scheme in ("http", "https"):
        origin = urljoin(base_url, "/")
        for prefix, lookup in ((settings.STATIC_URL, _static_file), (settings.MEDIA_URL, _media_file)):
            if not prefix:
                continue
            name = _relative(url, urljoin(origin, prefix))
            path = lookup(name) if name else None
            if path:
                with open(path, "rb") as handle:
                    return handle.read(), mimetypes.guess_type(path)[0] or "application/octet-stream"
    raise RefusedURL(f"PDF resources come only from the project's static and media files; refused: {url[:200]}")


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFilesOnly(URLFetcher):
        """WeasyPrint's fetcher with every network and file handler replaced by `local_resource`."""

        def __init__(self, base_url: str):
            super().__init__(allowed_protocols=("data", "http", "https"), allow_redirects=False)
            self._base_url = base_url

        def fetch(self, url, headers=None):
            content, mime_type = local_resource(url, base_url=self._base_url)
            return URLFetcherResponse(url, content, {"Content-Type": mime_type})

        def open(self, url, data=None, timeout=None):  # urllib's entry point: the same rule, never a request
            return self.fetch(url.full_url if isinstance(url, Request) else url)

    return LocalFilesOnly


def url_fetcher(base_url: str):
    """The only URL fetcher any PDF of the platform gets (see the module docstring)."""
    return _fetcher_class()(base_url)


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango and fonts is slow and only PDFs need it

    return HTML(string=pdf_markup(html), base_url=base_url, url_fetcher=url_fetcher(base_url)).write_pdf()


def render_pdf(template_name: str, context: dict, *, base_url: str, running_title: str = "") -> bytes:
    """Render a template extending pdf/base.html to PDF bytes; `running_title` is printed atop every page."""
    html = render_to_string(template_name, {
        **context,
        "generated_at": timezone.localtime(),
        "page_counter_css": _page_counter_css(),
        "running_title": running_title,
    })
    return html_to_pdf(html, base_url=base_url)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
