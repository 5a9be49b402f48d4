"""The Django admin's one rule for sealed data: no lookup, ordering, search, filter or raw column may touch it.

A higher app declares what it seals with `seal(model, open_fields=…)` (tendering seals bids, their responses, files
and scores: see bids/admin.py); `marketplace` cannot import it, so this is a registry. Every field of a sealed model
is sealed unless listed as open, so a field added later (a nonce, a timestamp) is sealed without anyone remembering.

The rule, for a lookup or ordering path such as `bids__price__lt` or `tender__status`:
- it may not enter a sealed model from another model at all (`?bids__isnull=False` on organisations would tell who
  bid; `?bids=5` whose bid 5 is), and
- starting on a sealed model's own admin, its first step may only be one of the model's open fields.

Django's admin already refuses URL lookups across two or more relations unless `list_filter` declares them, but
accepts any local field (`?submitted_at__gte=…` bisects a time) and any single relation (`?bids__gt=…`), and sorts
by any `list_display` column named in `?o=`, whatever `sortable_by` says. `SealedLookupsAdmin` closes those at run
time (a lookup is a 400, an ordering is ignored); the system check `check_sealed_admins` makes every admin that
could reach a sealed model in one step use it, and refuses declared filters, searches, orderings and raw columns on
sealed fields in every registered admin, ours and third parties' alike.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP

_open_fields: dict[type[models.Model], frozenset[str]] = {}


def seal(model: type[models.Model], *, open_fields=()) -> None:
    """Seal every field of `model` but `open_fields` from the Django admin's lookups, orderings and raw columns."""
    _open_fields[model] = frozenset(open_fields)


def sealed_models() -> frozenset[type[models.Model]]:
    return frozenset(_open_fields)


def touches_sealed(model: type[models.Model], path: str) -> bool:
    """Does this lookup or ordering path (`a__b__c`, lookups and transforms included) reach sealed data?"""
    start = model
    for step, part in enumerate(path.lstrip("-").split(LOOKUP_SEP)):
        if model in _open_fields and not (model is start and step == 0 and part in _open_fields[model]):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup (`gte`) or a transform (`date`): the path ends on the previous, allowed field
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return model in _open_fields and model is not start  # ends on a relation into a sealed model (`?bids=5`)


def _ordering_touches_sealed(model, order_field) -> bool:
    if isinstance(order_field, str):
        return touches_sealed(model, order_field)
    expressions = order_field.flatten() if hasattr(order_field, "flatten") else [order_field]
    return any(touches_sealed(model, e.name) for e in expressions if isinstance(e, models.F))


class ReadOnlyPermissions:
    """For an admin or inline that shows rows changed only by services: no adding, changing or deleting."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SealedChangeList(ChangeList):
    def get_ordering_field(self, field_name):
        """`?o=` may sort only by the columns `sortable_by` names, and never by sealed data."""
        if field_name not in self.sortable_by:
            return None
        order_field = super().get_ordering_field(field_name)
        if order_field is not None and _ordering_touches_sealed(self.model, order_field):
            return None
        return order_field


class SealedLookupsAdmin(admin.ModelAdmin):
    """A ModelAdmin that refuses any URL lookup reaching sealed data (a 400) and any `?o=` ordering by it."""

    def lookup_allowed(self, lookup, value, request=None):
        if touches_sealed(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist(self, request, **kwargs):
        return SealedChangeList


# --- The system check -----------------------------------------------------------------------------------------


def _one_step_from_sealed(model) -> bool:
    if model in _open_fields:
        return True
    return any(f.is_relation and f.related_model in _open_fields for f in model._meta.get_fields())


def _declared_paths(model_admin) -> list[tuple[str, str]]:
    """(option, path) for every path an admin declares for filtering, searching, ordering or sorting."""
    paths = []
    for item in getattr(model_admin, "list_filter", None) or ():
        name = item[0] if isinstance(item, (list, tuple)) else item
        if isinstance(name, str):
            paths.append(("list_filter", name))
    paths += [("search_fields", f.lstrip("^=@")) for f in getattr(model_admin, "search_fields", None) or ()]
    if getattr(model_admin, "date_hierarchy", None):
        paths.append(("date_hierarchy", model_admin.date_hierarchy))
    # Without its own ordering an admin lists in the model's default order, which counts as declared.
    ordering = model_admin.ordering or model_admin.model._meta.ordering or ()
    paths += [("ordering", o) for o in ordering if isinstance(o, str)]
    for name in getattr(model_admin, "list_display", ()) or ():
        attr = getattr(model_admin, name, None) if isinstance(name, str) else name
        order_field = getattr(attr, "admin_order_field", None)
        if isinstance(order_field, str):
            paths.append(("list_display", order_field))
    return paths


def _raw_sealed_columns(model_admin) -> list[tuple[str, str]]:
    """Fields of a sealed model shown as they are (not through a masking display method)."""
    model = model_admin.model
    if model not in _open_fields:
        return []
    found = []
    for option in ("list_display", "fields", "readonly_fields"):
        for name in getattr(model_admin, option, None) or ():
            if not isinstance(name, str) or hasattr(model_admin, name) or name in _open_fields[model]:
                continue
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            found.append((option, name))
    return found


def check_sealed_admins(app_configs=None, *, site=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    site = site or admin.site
    for model, model_admin in site._registry.items():
        label = f"{type(model_admin).__module__}.{type(model_admin).__qualname__}"
        if _one_step_from_sealed(model) and not isinstance(model_admin, SealedLookupsAdmin):
            errors.append(checks.Error(
                f"{label} can reach sealed data through one URL lookup but is not a SealedLookupsAdmin.",
                obj=type(model_admin), id="marketplace.E201"))
        for holder in [model_admin, *(inline(model, site) for inline in model_admin.inlines)]:
            for option, path in _declared_paths(holder):
                if touches_sealed(holder.model, path):
                    errors.append(checks.Error(
                        f"{type(holder).__qualname__}.{option} names sealed data: {path!r}.",
                        obj=type(holder), id="marketplace.E202"))
            for option, name in _raw_sealed_columns(holder):
                errors.append(checks.Error(
                    f"{type(holder).__qualname__}.{option} shows the sealed field {name!r} as it is; show it "
                    f"through a method that masks it until the bid is opened.",
                    obj=type(holder), id="marketplace.E203"))
    return errors


checks.register(check_sealed_admins, checks.Tags.admin)
