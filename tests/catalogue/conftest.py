"""Catalogue fixtures: posting purchase lists and service items through the Wagtail admin as an editor would."""

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from catalogue.models import OfficePurchaseListsPage


def line(item, *, title="居家养老上门服务", quantity=10, budget="12000.00", month=3, notes="", pk="", delete=False):
    return {"item": item.pk, "title": title, "quantity": quantity, "budget": budget, "planned_month": month,
            "notes": notes, "id": pk, "DELETE": "1" if delete else ""}


def list_form(*, lines, year=2027, title=None, initial=0, action=None, **extra):
    data = nested_form_data({
        "title": title or f"{year}年度购买服务清单",
        "slug": f"list-{year}",
        "year": year,
        "intro": rich_text(""),
        "lines": inline_formset(lines, initial=initial),
        "comments": inline_formset([]),
    })
    for i in range(len(lines)):
        data[f"lines-{i}-ORDER"] = str(i + 1)
    if action:
        data[f"action-{action}"] = action
    data.update(extra)
    return data


def existing_lines(page, **changes):
    """The form rows of a list's current lines, as the edit view would post them back."""
    rows = []
    for obj in page.get_latest_revision_as_object().lines.all():
        row = line(obj.item, title=obj.title, quantity=obj.quantity, budget=str(obj.budget), month=obj.planned_month,
                   notes=obj.notes, pk=obj.pk or "")
        row.update(changes.get(obj.title, {}))
        rows.append(row)
    return rows


def folder_of(office):
    return OfficePurchaseListsPage.objects.get(office=office)


def add_url(model_name, parent):
    return reverse("wagtailadmin_pages:add", args=["catalogue", model_name, parent.pk])


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def item_form(**values):
    data = {
        "title": "老年助餐服务", "slug": "meal-service", "title_en": "Meals for older people", "code": "YL-02",
        "description": rich_text("<p>为辖区老年人提供助餐配送。</p>"), "service_standard": rich_text("<p>每日一餐。</p>"),
        "unit": "人·年", "price_min": "600.00", "price_max": "900.00", "indicators": streamfield([]),
        "allow_registered": "on", "allow_filed": "on", "min_grade": "0", "comments": inline_formset([]),
    }
    data.update(values)
    return nested_form_data(data)


def assert_refused(response):
    """Wagtail's admin answers a forbidden page with 403, or by sending the person back to the dashboard."""
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
    else:
        assert response.status_code in (403, 404)
