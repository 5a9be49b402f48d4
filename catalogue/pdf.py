"""Printable PDFs of the live catalogue and of a live purchase list (WeasyPrint, A4, Noto CJK fonts).

Only what the public may see is printed: live pages outside any private section.
"""

from decimal import Decimal

from marketplace.errors import NotFound
from marketplace.pdf import render_pdf

from .models import CatalogueIndexPage, PurchaseListPage, ServiceCategoryPage, ServiceItemPage


def catalogue_document() -> dict:
    """The live catalogue, categories in tree order with their live items: three queries however large."""
    catalogue = CatalogueIndexPage.objects.live().public().first()
    if catalogue is None:
        raise NotFound()
    categories = list(
        ServiceCategoryPage.objects.child_of(catalogue).live().public().select_related("category").order_by("path")
    )
    by_parent_path: dict[str, list[ServiceItemPage]] = {c.path: [] for c in categories}
    step = ServiceItemPage.steplen
    for item in ServiceItemPage.objects.descendant_of(catalogue).live().public().order_by("path"):
        by_parent_path.get(item.path[:-step], []).append(item)
    sections = [{"page": c, "category": c.category, "items": by_parent_path[c.path]} for c in categories]
    return {
        "catalogue": catalogue,
        "sections": sections,
        "item_count": sum(len(s["items"]) for s in sections),
    }


def purchase_list_get_printable(page_id: int) -> PurchaseListPage:
    page = (PurchaseListPage.objects.live().public().select_related("office", "office__district")
            .filter(pk=page_id).first())
    if page is None:
        raise NotFound()
    return page


def catalogue_pdf(*, base_url: str) -> bytes:
    document = catalogue_document()
    return render_pdf("catalogue/pdf/catalogue.html", document, base_url=base_url,
                      running_title=document["catalogue"].title)


def purchase_list_pdf(*, page: PurchaseListPage, base_url: str) -> bytes:
    lines = list(page.lines.select_related("item").order_by("sort_order"))
    total = sum((line.budget for line in lines), Decimal(0))
    return render_pdf("catalogue/pdf/purchase_list.html", {"page": page, "lines": lines, "total": total},
                      base_url=base_url, running_title=f"{page.office.label} · {page.year}")
