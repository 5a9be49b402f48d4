"""Printable PDFs of the catalogue and of purchase lists, checked with poppler (pdffonts, pdftoppm, pdftotext)."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from PIL import Image

from catalogue.models import OfficePurchaseListsPage, PurchaseLine, PurchaseListPage
from marketplace.models import ServiceCategory

from ..conftest import make_service_item


def _publish_list(office, year, lines, *, publish=True) -> PurchaseListPage:
    folder = OfficePurchaseListsPage.objects.get(office=office)
    page = PurchaseListPage(title=f"{year}年度{office.name}购买服务清单", slug=str(year), office=office, year=year,
                            live=publish)
    for item, title, budget in lines:
        page.lines.add(PurchaseLine(item=item, title=title, quantity=1, budget=Decimal(budget), planned_month=4))
    folder.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return page


def _save(tmp_path: Path, response, name: str) -> Path:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _fonts(pdf: Path) -> list[tuple[str, str]]:
    """(font name, emb) for each font of the PDF, from pdffonts' table."""
    output = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    header, rule, *rows = output.splitlines()
    emb_at = header.index("emb")
    return [(row.split()[0], row[emb_at:emb_at + 3].strip()) for row in rows if row.strip()]


def _text(pdf: Path) -> str:
    """The text in drawing order (cell by cell), with line breaks inside a cell joined up again."""
    raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return raw.replace("\n", "")


def _page_one_png(pdf: Path, tmp_path: Path) -> Path:
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 1
    return pngs[0]


def _assert_cjk_embedded(pdf: Path):
    fonts = _fonts(pdf)
    # WeasyPrint names the subsets like "TSPJMR+Noto-Sans-CJK-SC"
    cjk = [(name, emb) for name, emb in fonts
           if "NotoSansCJK" in name.replace("-", "") or "NotoSerifCJK" in name.replace("-", "")]
    assert cjk, fonts
    assert all(emb == "yes" for _name, emb in cjk), fonts


def _assert_not_blank(png: Path):
    assert png.stat().st_size > 2000
    with Image.open(png) as image:
        grey = image.convert("L")
        width, height = grey.size
        assert (width, height) == pytest.approx((413, 585), abs=3)  # A4 at 50 dpi
        dark = sum(grey.histogram()[:128])
    assert dark > 500  # text and table rules, not an empty page


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def printed_world(world):
    second = ServiceCategory.objects.create(code="children-youth", name="儿童青少年服务", name_en="Children and youth",
                                            sort_order=5)
    homework = make_service_item(category=second, title="“四点半课堂”课后托管服务", code="ET-01",
                                 title_en="After-school homework club", price_min="150", price_max="300")
    page = _publish_list(world.office_x, 2026, [
        (world.item, "长河街道居家养老上门服务", "216000.00"),
        (homework, "长河街道“四点半课堂”", "45000.50"),
    ])
    draft = _publish_list(world.office_y, 2026, [(world.item, "西兴街道老年助餐服务", "80000.00")], publish=False)
    return world, page, draft


@pytest.mark.django_db
def test_catalogue_pdf_embeds_a_cjk_font_and_prints_the_items(client, printed_world, tmp_path,
                                                               django_assert_max_num_queries):
    # when
    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalogue:catalogue_print"))

    # then
    pdf = _save(tmp_path, response, "catalogue.pdf")
    assert 'filename="catalogue.pdf"' in response["Content-Disposition"]
    _assert_cjk_embedded(pdf)
    _assert_not_blank(_page_one_png(pdf, tmp_path))
    text = _text(pdf)
    assert "居家养老上门服务" in text and "四点半课堂" in text
    assert "养老服务" in text and "儿童青少年服务" in text
    assert "人·年" in text and "¥800.00" in text and "¥1,500.00" in text
    assert "服务覆盖率" in text and "≥95%" in text
    assert "第 1 页，共 1 页" in text


@pytest.mark.django_db
def test_catalogue_pdf_in_english(client, printed_world, tmp_path):
    pdf = _save(tmp_path, client.get("/en/catalogue/print.pdf"), "catalogue-en.pdf")
    text = _text(pdf)
    assert "After-school homework club" in text and "Performance indicators" in text
    assert "Page 1 of 1" in text


@pytest.mark.django_db
def test_purchase_list_pdf_shows_office_year_lines_and_total(client, printed_world, tmp_path):
    world, page, _draft = printed_world

    # when
    response = client.get(reverse("catalogue:purchase_list_print", args=[page.pk]))

    # then
    pdf = _save(tmp_path, response, "list.pdf")
    assert f'filename="purchase-list-{world.office_x.pk}-2026.pdf"' in response["Content-Disposition"]
    assert "filename*=utf-8''2026" in response["Content-Disposition"]
    _assert_cjk_embedded(pdf)
    _assert_not_blank(_page_one_png(pdf, tmp_path))
    text = _text(pdf)
    assert "长河街道办事处" in text and "2026" in text
    assert "长河街道居家养老上门服务" in text and "长河街道“四点半课堂”" in text
    assert "¥216,000.00" in text and "¥45,000.50" in text
    assert "¥261,000.50" in text  # the total


@pytest.mark.django_db
def test_a_draft_or_missing_list_is_not_printed(client, printed_world):
    _world, _page, draft = printed_world
    assert client.get(reverse("catalogue:purchase_list_print", args=[draft.pk])).status_code == 404
    assert client.get(reverse("catalogue:purchase_list_print", args=[999999])).status_code == 404
    # a page that is not a purchase list is not one either
    assert client.get(reverse("catalogue:purchase_list_print", args=[printed_world[0].item.pk])).status_code == 404


@pytest.mark.django_db
def test_unpublished_items_are_left_out_of_the_catalogue(client, printed_world, tmp_path):
    world, _page, _draft = printed_world
    world.item.unpublish()
    text = _text(_save(tmp_path, client.get(reverse("catalogue:catalogue_print")), "c.pdf"))
    assert "居家养老上门服务" not in text.replace("长河街道居家养老上门服务", "")
    assert "四点半课堂" in text
