"""Printable PDFs: the live catalogue and one live purchase list."""

from urllib.parse import quote

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from . import pdf


def _pdf_response(content: bytes, *, ascii_name: str, display_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # `filename` for old clients, `filename*` (RFC 6266) so browsers save it under its Chinese title.
    response["Content-Disposition"] = (
        f'inline; filename="{ascii_name}"; filename*=utf-8\'\'{quote(display_name)}'
    )
    return response


@require_GET
def catalogue_print(request):
    document = pdf.catalogue_pdf(base_url=request.build_absolute_uri("/"))
    return _pdf_response(document, ascii_name="catalogue.pdf", display_name="catalogue.pdf")


@require_GET
def purchase_list_print(request, page_id: int):
    page = pdf.purchase_list_get_printable(page_id)
    document = pdf.purchase_list_pdf(page=page, base_url=request.build_absolute_uri("/"))
    return _pdf_response(document, ascii_name=f"purchase-list-{page.office_id}-{page.year}.pdf",
                         display_name=f"{page.title}.pdf")
