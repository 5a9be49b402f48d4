"""One way to change a status: check the model's TRANSITIONS, save, and write the audit event.

Each model with a status declares `TRANSITIONS = {from_status: {allowed targets}}` next to its choices.
Only services call `transition`.
"""

from django.db import models
from django.utils.translation import gettext as _

from .audit import audit_record, audit_record_many
from .errors import InvalidTransition


def can_transition(obj: models.Model, target: str) -> bool:
    return target in type(obj).TRANSITIONS.get(obj.status, set())


def ensure_transition(obj: models.Model, target: str) -> None:
    if not can_transition(obj, target):
        label = dict(type(obj).Status.choices)
        raise InvalidTransition(
            _("%(object)s cannot go from “%(current)s” to “%(target)s”.")
            % {
                "object": obj._meta.verbose_name,
                "current": label.get(obj.status, obj.status),
                "target": label.get(target, target),
            }
        )


def transition(obj: models.Model, target: str, *, actor, verb: str | None = None, fields=(), note: dict | None = None):
    """Move `obj` to `target`, saving `status` plus any other changed `fields`, and audit it."""
    ensure_transition(obj, target)
    before = {"status": obj.status}
    obj.status = target
    obj.save(update_fields=["status", *fields])
    audit_record(
        actor=actor,
        verb=verb or f"{obj._meta.model_name}.{target}",
        obj=obj,
        before=before,
        after={"status": target, **(note or {})},
    )
    return obj


def transition_many(objs: list[models.Model], target: str, *, actor, verb: str, fields=(), note=None) -> list:
    """`transition` for many rows of one model at once: every move is checked first (all or nothing), then one
    UPDATE per group of equal values and one INSERT of the audit events. `note(obj)` gives each event's extra data."""
    if not objs:
        return objs
    for obj in objs:
        ensure_transition(obj, target)
    befores = [{"status": obj.status} for obj in objs]
    for obj in objs:
        obj.status = target
    # Rows that end with the same values share one UPDATE (at an opening: every bid, split by whether its digest
    # matched), which is much cheaper than bulk_update's CASE per row.
    groups: dict[tuple, list] = {}
    for obj in objs:
        groups.setdefault(tuple(getattr(obj, f) for f in fields), []).append(obj.pk)
    manager = type(objs[0])._base_manager
    for values, pks in groups.items():
        for start in range(0, len(pks), 500):
            manager.filter(pk__in=pks[start:start + 500]).update(status=target, **dict(zip(fields, values, strict=True)))
    audit_record_many(actor=actor, verb=verb, objs=objs, befores=befores,
                      afters=[{"status": target, **(note(obj) if note else {})} for obj in objs])
    return objs
