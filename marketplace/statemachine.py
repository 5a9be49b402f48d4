"""One way to change a status: check the model's TRANSITIONS, save, and write the audit event.

Each model with a status declares `TRANSITIONS = {from_status: {allowed targets}}` next to its choices.
Only services call `transition`.
"""

from django.db import models
from django.utils.translation import gettext as _

from .audit import audit_record
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
