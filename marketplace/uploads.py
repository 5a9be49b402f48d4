"""Uploaded files: what is accepted (PDF, JPEG, PNG, judged by content), where they live, how they are served.

Every upload of the platform (certificates here; bid documents and milestone evidence in higher apps) goes
through `validate_upload`, is stored in `storages["private"]` under a random name, and is served only by a
view that asks `marketplace.policy` first and then calls `serve_private`. Nothing is ever under MEDIA_URL.
"""

import mimetypes
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    code: str
    content_type: str
    extensions: frozenset[str]
    magic: tuple[bytes, ...]


# The signatures are the files' own first bytes; a name or a browser's content type proves nothing.
KINDS = (
    FileKind("pdf", "application/pdf", frozenset({".pdf"}), (b"%PDF-",)),
    FileKind("png", "image/png", frozenset({".png"}), (b"\x89PNG\r\n\x1a\n",)),
    FileKind("jpeg", "image/jpeg", frozenset({".jpg", ".jpeg"}), (b"\xff\xd8\xff",)),
)
SNIFF_BYTES = 16


def private_storage():
    """The storage of private files. A callable, so models and migrations name it rather than a path."""
    return storages["private"]


def _read_head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    return head or b""


def detect_kind(file) -> FileKind | None:
    head = _read_head(file)
    for kind in KINDS:
        if any(head.startswith(signature) for signature in kind.magic):
            return kind
    return None


def validate_upload(file) -> FileKind:
    """Refuse anything but a PDF, JPEG or PNG up to settings.UPLOAD_MAX_BYTES, judged by its content.

    The name's extension must agree with the content too, so a PNG or a text file called "x.pdf" is refused.
    Returns the detected kind. Raises django.core.exceptions.ValidationError with a message for the user.
    """
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="upload_empty")
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            code="upload_too_large",
            params={"size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.0f}"},
        )
    kind = detect_kind(file)
    if kind is None:
        raise ValidationError(
            _("Only PDF, JPEG and PNG files are accepted; this file is none of them."), code="upload_type"
        )
    extension = os.path.splitext(getattr(file, "name", "") or "")[1].lower()
    if extension not in kind.extensions:
        raise ValidationError(
            _("The file's name says “%(extension)s” but its content is %(kind)s. Please upload the original file."),
            code="upload_disguised",
            params={"extension": extension or "—", "kind": kind.code.upper()},
        )
    return kind


def stored_name(prefix: str, file, kind: FileKind | None = None) -> str:
    """A random name under `prefix`, so a stored file's name reveals nothing and never collides."""
    kind = kind or detect_kind(file)
    extension = sorted(kind.extensions)[0] if kind else ""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def serve_private(field_file, *, download_name: str) -> FileResponse:
    """Stream a private file. Call it only after the policy has said yes; a missing file is 'not found'."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    extension = os.path.splitext(field_file.name)[1]
    content_type = mimetypes.types_map.get(extension.lower(), "application/octet-stream")
    response = FileResponse(handle, as_attachment=True, filename=f"{download_name}{extension}",
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
