"""Importing the catalogue from CSV and XLSX: the service, the command and the Wagtail admin page."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from wagtail.models import Revision

from catalogue.importing import catalogue_import
from catalogue.models import ServiceCategoryPage, ServiceItemPage
from marketplace.models import AuditEvent, ServiceCategory

from ..factories import UserFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "catalogue-import.csv"

HEADER = ["category_code", "category_name", "category_name_en", "item_code", "title", "title_en", "description",
          "service_standard", "unit", "price_min", "price_max", "allow_registered", "allow_filed", "min_grade",
          "indicators"]


def _row(**overrides):
    row = {
        "category_code": "community-governance", "category_name": "社区治理", "category_name_en": "Community governance",
        "item_code": "ZL-01", "title": "居民议事协商服务", "title_en": "Residents' deliberation",
        "description": "协助社区组织居民议事会。\n每季度不少于一次。", "service_standard": "议事记录完整、公开。",
        "unit": "社区·年", "price_min": "20000", "price_max": "45000.50", "allow_registered": "是",
        "allow_filed": "否", "min_grade": "3A",
        "indicators": "议事会召开次数|≥4次|查阅会议记录；居民参与率|≥60%|签到表核对",
    }
    row.update(overrides)
    return [row[key] for key in HEADER]


def _csv(rows, header=HEADER) -> io.BytesIO:
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _xlsx(rows, header=HEADER) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return data


def _counts():
    return (ServiceItemPage.objects.count(), ServiceCategory.objects.count(), ServiceCategoryPage.objects.count(),
            Revision.objects.count(), AuditEvent.objects.count())


@pytest.mark.django_db
def test_example_csv_creates_published_items_and_categories(site):
    # given the shipped example file (Chinese headers, three categories, six items)
    actor = UserFactory(is_superuser=True)

    # when
    with EXAMPLE.open("rb") as handle:
        result = catalogue_import(actor=actor, file=handle, filename=EXAMPLE.name)

    # then
    assert result.ok, [str(e) for e in result.errors]
    assert result.rows == 6 and len(result.created) == 6 and result.updated == []
    assert result.categories_created == ["elderly-care", "disability-support", "children-youth"]
    item = ServiceItemPage.objects.get(code="YL-01")
    assert item.live and item.latest_revision is not None and item.latest_revision.user == actor
    assert item.title == "居家养老上门服务" and item.title_en == "Home-based elderly care visits"
    assert item.unit == "人·年" and item.price_min == Decimal("1200.00") and item.price_max == Decimal("2400.00")
    assert item.allow_registered and not item.allow_filed and item.min_grade == "0"
    assert item.indicator_snapshot()[0] == {"name": "服务计划执行率", "target": "≥95%",
                                            "measurement": "平台服务工单与服务计划逐月比对"}
    assert len(item.indicator_snapshot()) == 3
    assert item.description.startswith("<p>为经评估的失能")
    assert item.category.code == "elderly-care"
    category_page = ServiceCategoryPage.objects.get(category__code="elderly-care")
    assert category_page.live and category_page.title == "养老服务"
    assert ServiceItemPage.objects.child_of(category_page).live().count() == 2
    assert AuditEvent.objects.filter(verb="catalogue.item_import").count() == 6


@pytest.mark.django_db
def test_xlsx_import_adds_to_an_existing_category_and_parses_cells(world):
    # given an XLSX with English headers, typed cells (numbers, booleans) and the world's existing category
    rows = [
        _row(price_min=20000, price_max=45000.5, allow_filed=False, allow_registered=True),
        _row(category_code="elderly-care", category_name="", category_name_en="", item_code="YL-09",
             title="老年助餐服务", price_min=8, price_max=15, min_grade="", allow_registered="",
             allow_filed="yes", indicators="", unit="餐"),
    ]

    # when
    result = catalogue_import(actor=world.operator, file=_xlsx(rows), filename="目录.XLSX")

    # then
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == ["ZL-01", "YL-09"] and result.categories_created == ["community-governance"]
    governance = ServiceItemPage.objects.get(code="ZL-01")
    assert governance.live and governance.price_max == Decimal("45000.50") and governance.min_grade == "3"
    assert governance.allow_registered and not governance.allow_filed
    assert [i["name"] for i in governance.indicator_snapshot()] == ["议事会召开次数", "居民参与率"]
    assert governance.description == "<p>协助社区组织居民议事会。</p><p>每季度不少于一次。</p>"
    meals = ServiceItemPage.objects.get(code="YL-09")
    assert meals.get_parent().pk == world.item.get_parent().pk  # the world's 养老服务 page
    assert meals.indicator_snapshot() == [] and meals.allow_registered and meals.allow_filed
    assert meals.min_grade == "0" and meals.price_min == Decimal("8.00")
    assert ServiceCategory.objects.get(code="community-governance").sort_order > world.category.sort_order


@pytest.mark.django_db
def test_bad_rows_are_reported_per_row_and_nothing_is_imported(world):
    # given one good row and four bad ones (rows 3–7 of the sheet; the header is row 1)
    rows = [
        _row(),
        _row(item_code="ZL-02", price_min="50000", price_max="40000"),
        _row(item_code="ZL-03", min_grade="6A"),
        _row(item_code="ZL-04", title=""),
        _row(item_code="ZL-05", price_min="两万"),
        _row(item_code="ZL-06", indicators="只有名称"),
        _row(item_code="ZL-01", category_code="new-one", category_name=""),
    ]
    before = _counts()

    # when
    with translation.override("zh-hans"):
        result = catalogue_import(actor=world.operator, file=_csv(rows), filename="catalogue.csv")
        messages = [str(e) for e in result.errors]

    # then
    assert not result.ok and result.created == [] and result.updated == []
    assert _counts() == before
    assert "第 3 行：参考价格下限高于上限。" in messages
    assert "第 4 行，min_grade：未知的等级；请填写 1A 至 5A，无等级请留空。" in messages
    assert "第 5 行，title：此单元格不能为空。" in messages
    assert "第 6 行，price_min：不是有效的金额。" in messages
    assert any(m.startswith("第 7 行，indicators：第 1 项指标") for m in messages)
    assert any(m.startswith("第 8 行，item_code：项目代码 ZL-01 已在第 2 行出现") for m in messages)
    assert any(m.startswith("第 8 行，category_name：类别 new-one 尚不存在") for m in messages)
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    with translation.override("en"):
        assert str(result.errors[0]) == "Row 3: The lower reference price is above the upper one."


@pytest.mark.django_db
def test_a_bad_header_or_file_is_refused(site):
    missing = catalogue_import(actor=None, file=_csv([], header=["category_code", "title", "颜色"]),
                               filename="x.csv")
    assert not missing.ok
    assert {e.column for e in missing.errors} >= {"颜色", "item_code", "price_min"}
    assert not catalogue_import(actor=None, file=io.BytesIO(b"not a workbook"), filename="x.xlsx").ok
    assert not catalogue_import(actor=None, file=io.BytesIO(b"a,b"), filename="x.txt").ok
    assert ServiceItemPage.objects.count() == 0


@pytest.mark.django_db
def test_reimport_updates_instead_of_duplicating(world):
    # given an imported item
    catalogue_import(actor=world.operator, file=_csv([_row()]), filename="a.csv")
    item = ServiceItemPage.objects.get(code="ZL-01")
    pk, revisions = item.pk, item.revisions.count()

    # when the office re-imports it with a new price, a new title and a new category (a GBK-encoded CSV)
    text = io.StringIO()
    import csv

    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerow(_row(price_max="50000", title="居民议事协商服务（修订）", category_code="elderly-care",
                         category_name=""))
    result = catalogue_import(actor=world.operator, file=io.BytesIO(text.getvalue().encode("gb18030")),
                              filename="b.csv")

    # then the same page changed, published as a new revision, and moved to its new category
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == [] and result.updated == ["ZL-01"]
    assert ServiceItemPage.objects.filter(code="ZL-01").count() == 1
    item = ServiceItemPage.objects.get(code="ZL-01")
    assert item.pk == pk
    assert item.title == "居民议事协商服务（修订）" and item.price_max == Decimal("50000.00") and item.live
    assert item.revisions.count() == revisions + 1
    assert item.get_parent().specific.category == world.category
    assert item.url_path.endswith(f"/{world.category.code}/{item.slug}/")


@pytest.mark.django_db
def test_a_missing_column_leaves_that_field_alone_on_update(world):
    catalogue_import(actor=world.operator, file=_csv([_row()]), filename="a.csv")
    short_header = [h for h in HEADER if h not in ("indicators", "min_grade")]
    row = dict(zip(HEADER, _row(price_min="1000"), strict=True))
    result = catalogue_import(actor=world.operator, file=_csv([[row[h] for h in short_header]], short_header),
                              filename="a.csv")
    assert result.ok
    item = ServiceItemPage.objects.get(code="ZL-01")
    assert item.price_min == Decimal("1000.00") and item.min_grade == "3" and len(item.indicator_snapshot()) == 2


@pytest.mark.django_db
def test_command_imports_the_example_and_refuses_a_bad_file(site, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_catalogue", str(EXAMPLE), "--dry-run", stdout=out, stderr=err)
    assert ServiceItemPage.objects.count() == 0
    assert "6 rows: 6 items created, 0 updated, 3 new categories." in out.getvalue()

    call_command("import_catalogue", str(EXAMPLE), stdout=out, stderr=err)
    assert ServiceItemPage.objects.filter(live=True).count() == 6

    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_row(price_min="9", price_max="1")]).getvalue())
    with translation.override("zh-hans"), pytest.raises(CommandError):
        call_command("import_catalogue", str(bad), stdout=out, stderr=err)
    assert "第 2 行：参考价格下限高于上限。" in err.getvalue()
    assert ServiceItemPage.objects.count() == 6


# --- The Wagtail admin page ------------------------------------------------------------------------------


def _upload(name, data):
    return SimpleUploadedFile(name, data.getvalue() if hasattr(data, "getvalue") else data)


@pytest.mark.django_db
def test_admin_import_shows_errors_then_a_summary(client, world):
    admin = UserFactory(email="root@example.cn", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("catalogue_import")

    # the page and its menu item
    page = client.get(url)
    assert page.status_code == 200 and "category_code" in page.text
    assert url in client.get(reverse("wagtailadmin_home")).text

    # a bad file: per-row errors, nothing written
    response = client.post(url, {"file": _upload("c.csv", _csv([_row(), _row(item_code="ZL-02", title="")]))})
    assert response.status_code == 400
    assert "第 3 行，title：此单元格不能为空。" in response.text
    assert ServiceItemPage.objects.filter(code__startswith="ZL-").count() == 0

    # a good XLSX: a summary
    response = client.post(url, {"file": _upload("c.xlsx", _xlsx([_row(), _row(item_code="ZL-02")]))})
    assert response.status_code == 200
    assert 'id="import-summary"' in response.text and "ZL-01, ZL-02" in response.text
    assert ServiceItemPage.objects.filter(code__startswith="ZL-", live=True).count() == 2

    # not a spreadsheet: the form refuses it
    response = client.post(url, {"file": _upload("c.pdf", b"%PDF-1.4")})
    assert response.status_code == 200 and "error" in response.text
    assert 'id="import-summary"' not in response.text


@pytest.mark.django_db
def test_admin_import_is_refused_to_office_staff(client, world):
    # office staff reach the Wagtail admin (their editor group) but may not import the catalogue
    client.force_login(world.head_x)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert reverse("catalogue_import") not in client.get(reverse("wagtailadmin_home")).text
    response = client.post(reverse("catalogue_import"), {"file": _upload("c.csv", _csv([_row()]))})
    assert response.status_code == 403
    assert not ServiceItemPage.objects.filter(code="ZL-01").exists()
