"""Importing the guidance catalogue from a spreadsheet (CSV or XLSX): categories and service items.

Offices keep their catalogues in spreadsheets. One row is one service item; its category is created when
the file names one that does not exist yet. The layout (docs/examples/catalogue-import.csv):

    category_code      类别代码       required; a slug such as elderly-care
    category_name      类别名称       required when the category is new
    category_name_en   类别英文名称
    item_code          项目代码       required; an existing item with this code is updated, not duplicated
    title              项目名称       required
    title_en           项目英文名称
    description        服务内容       required; plain text, one paragraph per line
    service_standard   服务标准       required; plain text, one paragraph per line
    unit               计量单位       required, e.g. 人·年
    price_min          参考价格下限   required, yuan, e.g. 1200 or 1,200.00
    price_max          参考价格上限   required, not below price_min
    allow_registered   登记组织可承接  是/否 (yes/no, true/false, 1/0); blank = yes
    allow_filed        备案组织可承接  是/否; blank = yes
    min_grade          最低等级       blank or 无 = none, 1A … 5A
    indicators         绩效指标       "name|target|measurement; name|target|measurement" (；｜ work too)

The header row may use either name. A column left out of the file leaves that field of an existing item
as it is; a blank cell sets the field's default.

Nothing is half-imported: every row is checked first and the import stops with a list of errors (row,
column, message) if any row is bad; otherwise everything is written in one transaction.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from marketplace.audit import audit_record
from marketplace.models import Grade, ServiceCategory
from marketplace.validators import validate_no_control_characters

from .models import CatalogueIndexPage, ServiceCategoryPage, ServiceItemPage

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
ALLOWED_EXTENSIONS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]  # Chinese header names, accepted as well as the key
    required: bool = False
    max_length: int | None = None


COLUMNS = [
    Column("category_code", ("类别代码",), required=True, max_length=40),
    Column("category_name", ("类别名称",), max_length=100),
    Column("category_name_en", ("类别英文名称",), max_length=100),
    Column("item_code", ("项目代码",), required=True, max_length=20),
    Column("title", ("项目名称",), required=True, max_length=255),
    Column("title_en", ("项目英文名称",), max_length=255),
    Column("description", ("服务内容", "项目描述")),
    Column("service_standard", ("服务标准",)),
    Column("unit", ("计量单位", "单位"), max_length=30),
    Column("price_min", ("参考价格下限", "最低参考价")),
    Column("price_max", ("参考价格上限", "最高参考价")),
    Column("allow_registered", ("登记组织可承接",)),
    Column("allow_filed", ("备案组织可承接",)),
    Column("min_grade", ("最低等级", "最低评估等级")),
    Column("indicators", ("绩效指标",)),
]
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
# Needed in the header: a new item cannot be created without them.
REQUIRED_HEADERS = ("category_code", "item_code", "title", "description", "service_standard", "unit",
                    "price_min", "price_max")
# Needed in every row (a blank cell is an error).
REQUIRED_CELLS = REQUIRED_HEADERS

_HEADER_LOOKUP = {name.casefold(): c.key for c in COLUMNS for name in (c.key, *c.aliases)}
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "可", "允许"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "不可", "不允许"}
_NO_GRADE = {"", "0", "无", "none", "-", "—", "不限"}
_INDICATOR_SPLIT = re.compile(r"[;；\n]")
_INDICATOR_PARTS = re.compile(r"[|｜]")


@dataclass(frozen=True)
class RowError:
    """One problem in the file. `row` is the spreadsheet's row number (the header is row 1); 0 = the whole file."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return str(self.message)
        if self.column:
            return str(_("Row %(row)s, %(column)s: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message})
        return str(_("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message})


@dataclass
class ImportResult:
    rows: int = 0
    created: list[str] = field(default_factory=list)  # item codes
    updated: list[str] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict  # column key → parsed value; only the columns present in the file


class _Invalid(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} errors")


# --- Reading the file -------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Invalid([RowError(0, "", _("The file is neither UTF-8 nor GBK text."))])
    return list(csv.reader(io.StringIO(text, newline="")))


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for files that are not workbooks
        raise _Invalid([RowError(0, "", _("The file could not be read as an Excel workbook (.xlsx)."))]) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _read_table(data: bytes, extension: str) -> list[tuple[int, list[str]]]:
    """The file's non-empty rows as (spreadsheet row number, cell texts)."""
    raw = _read_csv(data) if extension == "csv" else _read_xlsx(data)
    rows = []
    for number, cells in enumerate(raw, start=1):
        texts = [_cell_text(c) for c in cells]
        if any(texts):
            rows.append((number, texts))
    return rows


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


# --- Checking each row ----------------------------------------------------------------------------------


def _parse_header(number: int, cells: list[str]) -> tuple[dict[int, str], dict[str, str], list[RowError]]:
    """Map cell positions to column keys; also return each key's header text as the file spells it."""
    positions, spelled, errors = {}, {}, []
    for position, text in enumerate(cells):
        if not text:
            continue
        key = _HEADER_LOOKUP.get(text.casefold())
        if key is None:
            errors.append(RowError(number, text, _("Unknown column.")))
        elif key in spelled:
            errors.append(RowError(number, text, _("This column appears twice.")))
        else:
            positions[position] = key
            spelled[key] = text
    for key in REQUIRED_HEADERS:
        if key not in spelled:
            errors.append(RowError(number, key, _("This column is missing.")))
    return positions, spelled, errors


def _amount(text: str) -> Decimal:
    cleaned = re.sub(r"[,，\s¥￥元]", "", text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(_("Not a valid amount.")) from exc
    if not value.is_finite() or value < 0:
        raise ValueError(_("Not a valid amount."))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("An amount has at most two decimals (fen)."))
    if value >= Decimal("1e12"):
        raise ValueError(_("The amount is too large."))
    return value.quantize(Decimal("0.01"))


def _flag(text: str) -> bool:
    folded = text.casefold()
    if folded == "":
        return True
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(_("Write 是 or 否 (yes or no)."))


def _grade(text: str) -> str:
    folded = text.casefold().removesuffix("级").strip()
    if folded in _NO_GRADE:
        return Grade.NONE
    folded = folded.removesuffix("a")
    if folded in {"1", "2", "3", "4", "5"}:
        return folded
    raise ValueError(_("Unknown grade; use 1A to 5A, or leave it blank for none."))


def _indicators(text: str) -> list[dict]:
    indicators = []
    for n, part in enumerate((p.strip() for p in _INDICATOR_SPLIT.split(text) if p.strip()), start=1):
        pieces = [p.strip() for p in _INDICATOR_PARTS.split(part)]
        if len(pieces) != 3 or not all(pieces):
            raise ValueError(_('Indicator %(n)s must read "name|target|measurement".') % {"n": n})
        indicators.append({"name": pieces[0], "target": pieces[1], "measurement": pieces[2]})
    return indicators


def _rich_text(text: str) -> str:
    """Plain text from a cell as rich text: one paragraph per line."""
    return "".join(f"<p>{escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


_PARSERS: dict[str, Callable[[str], object]] = {
    "price_min": _amount,
    "price_max": _amount,
    "allow_registered": _flag,
    "allow_filed": _flag,
    "min_grade": _grade,
    "indicators": _indicators,
    "description": _rich_text,
    "service_standard": _rich_text,
}


def _parse_row(number: int, cells: list[str], positions: dict[int, str], spelled: dict[str, str],
               errors: list[RowError]) -> _Row:
    texts = {key: (cells[pos] if pos < len(cells) else "") for pos, key in positions.items()}
    values = {}
    for key, text in texts.items():
        column = COLUMNS_BY_KEY[key]
        if not text and key in REQUIRED_CELLS:
            errors.append(RowError(number, spelled[key], _("This cell must not be empty.")))
            continue
        if column.max_length and len(text) > column.max_length:
            errors.append(RowError(number, spelled[key], _("At most %(n)s characters.") % {"n": column.max_length}))
            continue
        try:
            validate_no_control_characters(text)  # as every form's text field
        except ValidationError as exc:
            errors.append(RowError(number, spelled[key], exc.messages[0]))
            continue
        parser = _PARSERS.get(key)
        try:
            values[key] = parser(text) if parser else text
        except ValueError as exc:
            errors.append(RowError(number, spelled[key], exc.args[0]))
    if "category_code" in values:
        try:
            validate_slug(values["category_code"])
        except ValidationError:
            errors.append(RowError(number, spelled["category_code"],
                                   _("Use only letters, digits, hyphens and underscores.")))
    low, high = values.get("price_min"), values.get("price_max")
    if low is not None and high is not None and low > high:
        errors.append(RowError(number, "", _("The lower reference price is above the upper one.")))
    return _Row(number, values)


def _check_rows(rows: list[_Row], spelled: dict[str, str], errors: list[RowError]) -> None:
    """Checks across rows and against the database: duplicate codes, unknown categories, conflicting names."""
    seen_items: dict[str, int] = {}
    category_rows: dict[str, _Row] = {}
    existing_categories = set(ServiceCategory.objects.values_list("code", flat=True))
    codes = [r.values["item_code"] for r in rows if "item_code" in r.values]
    item_counts: dict[str, int] = {}
    for code in ServiceItemPage.objects.filter(code__in=codes).values_list("code", flat=True):
        item_counts[code] = item_counts.get(code, 0) + 1
    for row in rows:
        code = row.values.get("item_code")
        if code:
            if code in seen_items:
                errors.append(RowError(row.number, spelled["item_code"],
                                       _("Item code %(code)s already appears in row %(row)s.")
                                       % {"code": code, "row": seen_items[code]}))
            else:
                seen_items[code] = row.number
            if item_counts.get(code, 0) > 1:
                errors.append(RowError(row.number, spelled["item_code"],
                                       _("Several catalogue items have the code %(code)s; fix them in the admin first.")
                                       % {"code": code}))
        category = row.values.get("category_code")
        if not category:
            continue
        name = row.values.get("category_name", "")
        if category not in existing_categories and not name and category not in category_rows:
            errors.append(RowError(row.number, spelled.get("category_name", "category_name"),
                                   _("Category %(code)s does not exist yet; give its name.") % {"code": category}))
        first = category_rows.setdefault(category, row)
        first_name = first.values.get("category_name", "")
        if first is not row and name and first_name and name != first_name:
            errors.append(RowError(row.number, spelled["category_name"],
                                   _("Category %(code)s has another name in row %(row)s.")
                                   % {"code": category, "row": first.number}))
        elif first is not row and name and not first_name:
            category_rows[category] = row


# --- Writing ----------------------------------------------------------------------------------------------


def _unique_slug(parent: Page, base: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(base) or "item"
    taken = set(parent.get_children().exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _publish(page: Page, actor) -> None:
    # The import's own permission (operators and superusers) decides, not the actor's page permissions.
    user = actor if getattr(actor, "pk", None) else None
    page.save_revision(user=user).publish(user=user, skip_permission_checks=True)


def _category_page(*, actor, catalogue: CatalogueIndexPage, row: _Row, result: ImportResult) -> ServiceCategoryPage:
    values = row.values
    code = values["category_code"]
    category = ServiceCategory.objects.filter(code=code).first()
    name, name_en = values.get("category_name", ""), values.get("category_name_en", "")
    if category is None:
        next_order = (ServiceCategory.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
        category = ServiceCategory(code=code, name=name, name_en=name_en, sort_order=next_order)
        category.full_clean()
        category.save()
        audit_record(actor=actor, verb="catalogue.category_import", obj=category,
                     after={"code": code, "name": name, "name_en": name_en})
        result.categories_created.append(code)
    elif (name and name != category.name) or (name_en and name_en != category.name_en):
        before = {"name": category.name, "name_en": category.name_en}
        category.name, category.name_en = name or category.name, name_en or category.name_en
        category.full_clean()
        category.save(update_fields=["name", "name_en"])
        audit_record(actor=actor, verb="catalogue.category_import", obj=category, before=before,
                     after={"name": category.name, "name_en": category.name_en})
    page = ServiceCategoryPage.objects.filter(category=category).first()
    if page is None:
        page = catalogue.add_child(instance=ServiceCategoryPage(
            title=category.name, slug=_unique_slug(catalogue, code), category=category))
        _publish(page, actor)
    elif page.title != category.name:
        page.title = category.name
        _publish(page, actor)
    return page


_ITEM_FIELDS = ("title", "title_en", "description", "service_standard", "unit", "price_min", "price_max",
                "allow_registered", "allow_filed", "min_grade")


def _item_write(*, actor, parent: ServiceCategoryPage, row: _Row, result: ImportResult, filename: str) -> None:
    values = row.values
    code = values["item_code"]
    item = ServiceItemPage.objects.filter(code=code).first()
    created = item is None
    if created:
        item = ServiceItemPage(code=code, slug=_unique_slug(parent, code))
    elif item.get_parent().pk != parent.pk:
        # Reclassified in the spreadsheet: the item moves to its new category (the import, not the
        # actor's page permissions, decides; the audit row records who did it).
        slug = _unique_slug(parent, item.slug, exclude_pk=item.pk)
        item.move(parent, pos="last-child")
        item = ServiceItemPage.objects.get(pk=item.pk)
        item.slug = slug
    before = {} if created else {"title": item.title, "price_min": item.price_min, "price_max": item.price_max}
    for name in _ITEM_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    if "indicators" in values:
        item.indicators = [("indicator", indicator) for indicator in values["indicators"]]
    if created:
        parent.add_child(instance=item)
    _publish(item, actor)
    (result.created if created else result.updated).append(code)
    audit_record(actor=actor, verb="catalogue.item_import", obj=item, before=before,
                 after={"code": code, "title": item.title, "price_min": item.price_min,
                        "price_max": item.price_max, "created": created, "file": filename[:100]})


def _validation_messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(map(str, v))}" if k != "__all__" else " ".join(map(str, v))
                         for k, v in exc.message_dict.items())
    return " ".join(map(str, exc.messages))


@transaction.atomic
def _write(*, actor, rows: list[_Row], result: ImportResult, filename: str, progress) -> None:
    catalogue = CatalogueIndexPage.objects.first()
    if catalogue is None:
        raise _Invalid([RowError(0, "", _("The catalogue page does not exist yet; set up the site first."))])
    categories: dict[str, ServiceCategoryPage] = {}
    # The row that names each category: a later row may carry the name when the first one left it blank.
    naming: dict[str, _Row] = {}
    for row in rows:
        code = row.values["category_code"]
        if code not in naming or (row.values.get("category_name") and not naming[code].values.get("category_name")):
            naming[code] = row
    errors = []
    for done, row in enumerate(rows, start=1):
        code = row.values["category_code"]
        try:
            if code not in categories:
                categories[code] = _category_page(actor=actor, catalogue=catalogue, row=naming[code], result=result)
            _item_write(actor=actor, parent=categories[code], row=row, result=result, filename=filename)
        except ValidationError as exc:
            errors.append(RowError(row.number, "", _validation_messages(exc)))
        if progress:
            progress(done, len(rows))
    if errors:
        raise _Invalid(errors)  # rolls the whole import back


def catalogue_import(*, actor, file, filename: str, dry_run: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import categories and items from a CSV or XLSX file: all rows, or none if any row is bad.

    `file` is a binary file object (an upload or an open file). `progress(done, total)` is called after each
    row is written. With `dry_run` the file is only checked.
    """
    result = ImportResult(dry_run=dry_run)
    extension = _extension(filename)
    try:
        if extension not in ALLOWED_EXTENSIONS:
            raise _Invalid([RowError(0, "", _("Upload a CSV or XLSX file."))])
        data = file.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise _Invalid([RowError(0, "", _("The file is larger than 5 MB."))])
        table = _read_table(data, extension)
        if not table:
            raise _Invalid([RowError(0, "", _("The file is empty."))])
        (header_number, header), *body = table
        if len(body) > MAX_IMPORT_ROWS:
            raise _Invalid([RowError(0, "", _("The file has more than %(n)s rows.") % {"n": MAX_IMPORT_ROWS})])
        positions, spelled, errors = _parse_header(header_number, header)
        if errors:
            raise _Invalid(errors)
        if not body:
            raise _Invalid([RowError(0, "", _("The file has a header but no rows."))])
        rows = [_parse_row(number, cells, positions, spelled, errors) for number, cells in body]
        _check_rows(rows, spelled, errors)
        result.rows = len(rows)
        if errors:
            raise _Invalid(errors)
        if dry_run:
            existing = set(ServiceItemPage.objects.filter(code__in=[r.values["item_code"] for r in rows])
                           .values_list("code", flat=True))
            known = set(ServiceCategory.objects.values_list("code", flat=True))
            for row in rows:
                code = row.values["item_code"]
                (result.updated if code in existing else result.created).append(code)
                category = row.values["category_code"]
                if category not in known and category not in result.categories_created:
                    result.categories_created.append(category)
        else:
            _write(actor=actor, rows=rows, result=result, filename=filename, progress=progress)
    except _Invalid as invalid:
        result.errors = sorted(invalid.errors, key=lambda e: e.row)
        result.created, result.updated, result.categories_created = [], [], []
    return result
