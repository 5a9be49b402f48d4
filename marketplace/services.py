"""Every state change of the foundation: offices, organisations, memberships, grades, reputation."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import policy
from .audit import audit_record
from .errors import PermissionDenied, ValidationFailed
from .models import (
    District,
    Grade,
    Membership,
    OfficeStaff,
    Organisation,
    ServiceCategory,
    StreetOffice,
    Track,
    User,
)
from .signals import office_created, office_staff_changed
from .statemachine import transition
from .validators import validate_uscc


@transaction.atomic
def office_create(*, actor, district: District, name: str, name_en: str = "", **fields) -> StreetOffice:
    office = StreetOffice(district=district, name=name, name_en=name_en, **fields)
    office.full_clean()
    office.save()
    audit_record(actor=actor, verb="office.create", obj=office, after={"name": name})
    office_created.send(sender=StreetOffice, office=office, actor=actor)
    return office


@transaction.atomic
def office_staff_add(*, actor, office: StreetOffice, user: User, role: str) -> OfficeStaff:
    post, created = OfficeStaff.objects.get_or_create(office=office, user=user, role=role)
    if created:
        audit_record(actor=actor, verb="office.staff_add", obj=office, after={"user": user.pk, "role": role})
    policy.forget(user)
    roles = set(OfficeStaff.objects.filter(office=office, user=user).values_list("role", flat=True))
    office_staff_changed.send(sender=StreetOffice, office=office, user=user, roles=roles)
    return post


def _apply(*, actor, organisation: Organisation, categories) -> Organisation:
    organisation.full_clean()
    organisation.save()
    if categories:
        organisation.categories.set(categories)
    Membership.objects.create(organisation=organisation, user=actor, role=Membership.Role.ADMIN)
    policy.forget(actor)
    audit_record(
        actor=actor,
        verb="organisation.apply",
        obj=organisation,
        after={"track": organisation.track, "status": organisation.status},
    )
    return organisation


@transaction.atomic
def organisation_apply_registered(
    *, actor: User, name: str, uscc: str, legal_representative: str, registration_authority: str,
    categories=(), **fields,
) -> Organisation:
    """A registered (登记) organisation applies; a platform operator verifies it. The USCC is unique."""
    from django.core.exceptions import ValidationError

    try:
        code = validate_uscc(uscc)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="uscc") from exc
    if Organisation.objects.filter(uscc=code).exists():
        raise ValidationFailed(_("An organisation with this unified social credit code is already on the platform."),
                               code="uscc_taken")
    organisation = Organisation(
        name=name, track=Track.REGISTERED, uscc=code, legal_representative=legal_representative,
        registration_authority=registration_authority, **fields,
    )
    return _apply(actor=actor, organisation=organisation, categories=categories)


@transaction.atomic
def organisation_apply_filed(
    *, actor: User, name: str, home_office: StreetOffice, categories=(), **fields
) -> Organisation:
    """A filed (备案) community group applies to its street office; the office's staff approve it."""
    organisation = Organisation(name=name, track=Track.FILED, home_office=home_office, **fields)
    return _apply(actor=actor, organisation=organisation, categories=categories)


def _filing_number(organisation: Organisation) -> str:
    year = timezone.localdate().year
    return f"BA-{organisation.home_office_id:03d}-{year}-{organisation.pk:05d}"


@transaction.atomic
def organisation_verify(*, actor: User, organisation: Organisation) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not policy.can_verify_organisation(actor, organisation):
        raise PermissionDenied()
    fields = ["status_reason"]
    organisation.status_reason = ""
    if organisation.track == Track.FILED and not organisation.filing_number:
        organisation.filing_number = _filing_number(organisation)
        fields.append("filing_number")
    return transition(organisation, Organisation.Status.VERIFIED, actor=actor, verb="organisation.verify",
                      fields=fields, note={"filing_number": organisation.filing_number or ""})


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Please give a reason."), code="reason_required")
    return reason


@transaction.atomic
def organisation_reject(*, actor: User, organisation: Organisation, reason: str) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not policy.can_verify_organisation(actor, organisation):
        raise PermissionDenied()
    organisation.status_reason = _require_reason(reason)
    return transition(organisation, Organisation.Status.REJECTED, actor=actor, verb="organisation.reject",
                      fields=["status_reason"], note={"reason": organisation.status_reason})


@transaction.atomic
def organisation_suspend(
    *, actor: User, organisation: Organisation, reason: str, until: dt.date | None = None
) -> Organisation:
    if not policy.can_govern_organisations(actor):
        raise PermissionDenied()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.status_reason = _require_reason(reason)
    organisation.suspended_until = until
    return transition(organisation, Organisation.Status.SUSPENDED, actor=actor, verb="organisation.suspend",
                      fields=["status_reason", "suspended_until"],
                      note={"reason": organisation.status_reason, "until": until})


@transaction.atomic
def organisation_reinstate(*, actor, organisation: Organisation) -> Organisation:
    """Operators reinstate; the beat task does so too when a suspension's end date has passed (actor None)."""
    if actor is not None and not policy.can_govern_organisations(actor):
        raise PermissionDenied()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.suspended_until = None
    organisation.status_reason = ""
    return transition(organisation, Organisation.Status.VERIFIED, actor=actor, verb="organisation.reinstate",
                      fields=["suspended_until", "status_reason"])


@transaction.atomic
def organisation_remove(*, actor: User, organisation: Organisation, reason: str) -> Organisation:
    """Exit (退出). The reason is public."""
    if not policy.can_govern_organisations(actor):
        raise PermissionDenied()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    organisation.status_reason = _require_reason(reason)
    return transition(organisation, Organisation.Status.REMOVED, actor=actor, verb="organisation.remove",
                      fields=["status_reason"], note={"reason": organisation.status_reason})


@transaction.atomic
def organisation_set_grade(*, actor: User, organisation: Organisation, grade: str, graded_on: dt.date) -> Organisation:
    if not policy.can_govern_organisations(actor):
        raise PermissionDenied()
    if grade not in Grade.values:
        raise ValidationFailed(_("Unknown grade."), code="grade")
    before = {"grade": organisation.grade, "grade_date": organisation.grade_date}
    organisation.grade = grade
    organisation.grade_date = graded_on if grade != Grade.NONE else None
    organisation.save(update_fields=["grade", "grade_date"])
    audit_record(actor=actor, verb="organisation.grade", obj=organisation, before=before,
                 after={"grade": grade, "grade_date": organisation.grade_date})
    return organisation


@transaction.atomic
def organisation_set_categories(*, actor: User, organisation: Organisation, categories) -> Organisation:
    if not policy.can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    before = sorted(organisation.categories.values_list("code", flat=True))
    organisation.categories.set(categories)
    after = sorted(c.code if isinstance(c, ServiceCategory) else c for c in categories)
    audit_record(actor=actor, verb="organisation.categories", obj=organisation,
                 before={"categories": before}, after={"categories": after})
    return organisation


@transaction.atomic
def membership_add(*, actor, organisation: Organisation, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    audit_record(actor=actor, verb="membership.add", obj=organisation, after={"user": user.pk, "role": role})
    policy.forget(user)
    return membership


@transaction.atomic
def reputation_set(
    *, subject: Organisation | StreetOffice, score: Decimal | None, count: int, breakdown: dict,
    contracts_completed: int | None = None, contracts_terminated: int | None = None,
) -> None:
    """Write the reputation fields. Only `ratings` calls this, after it recomputes a subject's aggregate."""
    fields = {"rating_score": score, "rating_count": count, "rating_breakdown": breakdown}
    if isinstance(subject, Organisation):
        if contracts_completed is not None:
            fields["contracts_completed"] = contracts_completed
        if contracts_terminated is not None:
            fields["contracts_terminated"] = contracts_terminated
    type(subject).objects.filter(pk=subject.pk).update(**fields)
    audit_record(actor=None, verb="reputation.update", obj=subject,
                 before={"rating_score": subject.rating_score, "rating_count": subject.rating_count},
                 after={"rating_score": score, "rating_count": count})
    for name, value in fields.items():
        setattr(subject, name, value)
