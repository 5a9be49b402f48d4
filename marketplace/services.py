"""Every state change of the foundation: offices, organisations, memberships, grades, reputation."""

import datetime as dt
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import policy
from .audit import audit_record
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed
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
from .notifications import notify
from .signals import office_created, office_staff_changed
from .statemachine import transition
from .uploads import stored_name, validate_upload
from .validators import validate_uscc


def _attach_certificate(organisation: Organisation, certificate) -> None:
    """Check the file by its content and store it privately under a random name (not saved yet)."""
    try:
        kind = validate_upload(certificate)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code=exc.code or "upload") from exc
    organisation.certificate.save(stored_name("certificates", certificate, kind), certificate, save=False)


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


def _apply(*, actor, organisation: Organisation, categories, certificate=None) -> Organisation:
    refuse_platform_staff_member(actor)
    organisation.full_clean(exclude=["certificate"])
    if certificate is not None:
        _attach_certificate(organisation, certificate)
    organisation.save()
    if categories:
        organisation.categories.set(categories)
    Membership.objects.create(organisation=organisation, user=actor, role=Membership.Role.ADMIN)
    policy.forget(actor)
    audit_record(
        actor=actor,
        verb="organisation.apply",
        obj=organisation,
        after={"track": organisation.track, "status": organisation.status,
               "certificate": bool(organisation.certificate)},
    )
    return organisation


@transaction.atomic
def organisation_apply_registered(
    *, actor: User, name: str, uscc: str, legal_representative: str, registration_authority: str,
    categories=(), certificate=None, **fields,
) -> Organisation:
    """A registered (登记) organisation applies; a platform operator verifies it. The USCC is unique.

    `certificate` is the uploaded registration certificate (PDF, JPEG or PNG); without it the application
    waits, and the dashboard says it is missing.
    """
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
    return _apply(actor=actor, organisation=organisation, categories=categories, certificate=certificate)


@transaction.atomic
def organisation_apply_filed(
    *, actor: User, name: str, home_office: StreetOffice, categories=(), certificate=None, **fields
) -> Organisation:
    """A filed (备案) community group applies to its street office; the office's staff approve it.

    A filed group has no registration certificate; `certificate` may carry a supporting document.
    """
    organisation = Organisation(name=name, track=Track.FILED, home_office=home_office, **fields)
    return _apply(actor=actor, organisation=organisation, categories=categories, certificate=certificate)


@transaction.atomic
def organisation_update_profile(
    *, actor: User, organisation: Organisation, description: str, contact_phone: str, categories,
    certificate=None,
) -> Organisation:
    """The organisation's admin edits what the public and the verifier see; a new certificate replaces the old."""
    if not policy.can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status == Organisation.Status.REMOVED:
        raise Conflict(_("A removed organisation can no longer be changed."))
    before = {"description": organisation.description, "contact_phone": organisation.contact_phone,
              "categories": sorted(organisation.categories.values_list("code", flat=True))}
    organisation.description = description
    organisation.contact_phone = contact_phone
    fields = ["description", "contact_phone"]
    old_certificate = organisation.certificate.name if organisation.certificate else ""
    if certificate is not None:
        _attach_certificate(organisation, certificate)
        fields.append("certificate")
    organisation.full_clean(exclude=["certificate"])
    organisation.save(update_fields=fields)
    organisation.categories.set(categories)
    after = {"description": description, "contact_phone": contact_phone,
             "categories": sorted(c.code for c in categories)}
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit_record(actor=actor, verb="organisation.update", obj=organisation,
                     before={k: before[k] for k in changed}, after=changed)
    if certificate is not None:
        audit_record(actor=actor, verb="organisation.certificate", obj=organisation,
                     before={"certificate": bool(old_certificate)}, after={"certificate": True})
        if old_certificate:
            storage, name = organisation.certificate.storage, old_certificate
            transaction.on_commit(lambda: storage.delete(name))
    return organisation


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
def organisation_resubmit(*, actor: User, organisation: Organisation) -> Organisation:
    """A rejected application, corrected by the organisation's admin, goes back to the verifier's queue.

    The same organisation keeps its USCC, members and history, so fixing a rejected application never runs
    into "this code is already on the platform".
    """
    if not policy.can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    previous_reason = organisation.status_reason
    organisation.status_reason = ""
    return transition(organisation, Organisation.Status.PENDING, actor=actor, verb="organisation.resubmit",
                      fields=["status_reason"], note={"previous_reason": previous_reason})


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


def organisations_reinstate_due(*, today: dt.date | None = None) -> int:
    """Reinstate every organisation whose suspension's end date has passed. Called by the beat task."""
    today = today or timezone.localdate()
    due = Organisation.objects.filter(status=Organisation.Status.SUSPENDED, suspended_until__lt=today)
    count = 0
    for organisation in due.only("pk"):
        with transaction.atomic():
            current = Organisation.objects.select_for_update().get(pk=organisation.pk)
            # A concurrent operator may have reinstated, removed or extended it meanwhile.
            if current.status == Organisation.Status.SUSPENDED and current.suspended_until and \
                    current.suspended_until < today:
                organisation_reinstate(actor=None, organisation=current)
                count += 1
    return count


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


def is_platform_staff(user) -> bool:
    """Platform operators, and anyone the Django admin or the CMS admits as staff or superuser."""
    return bool(user.is_platform_operator or user.is_staff or user.is_superuser)


def refuse_platform_staff_member(user) -> None:
    """Platform staff govern organisations and oversee sealed bids, so they belong to none: a member sees the
    organisation's sealed bids (docs/decisions/0009-sealed-from-operators.md). The Django admin's user form refuses the
    other way round: making a member platform staff."""
    if is_platform_staff(user):
        raise PermissionDenied(_("Platform operators cannot be members of an organisation."), code="operator_member")


def _membership_changed(*, actor, organisation: Organisation, member: User, event: str, role: str = "") -> None:
    """Tell the organisation's admins (and the member concerned) of a change they did not make themselves."""
    admins = list(User.objects.filter(memberships__organisation=organisation,
                                      memberships__role=Membership.Role.ADMIN))
    notify(users=[u for u in [*admins, member] if actor is None or u.pk != actor.pk], template="membership_changed",
           context={"event": event, "organisation": organisation.name, "member": str(member),
                    "actor": str(actor) if actor is not None else "", "role": role,
                    "path": reverse("marketplace:organisation_detail", args=[organisation.pk])})


@transaction.atomic
def membership_add(*, actor, organisation: Organisation, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    """An organisation's admin adds an existing user directly (invitations are the usual way)."""
    if not policy.can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    if role not in Membership.Role.values:
        raise ValidationFailed(_("Unknown role."), code="role")
    refuse_platform_staff_member(user)
    membership, _created = Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    audit_record(actor=actor, verb="membership.add", obj=organisation, after={"user": user.pk, "role": role})
    _membership_changed(actor=actor, organisation=organisation, member=user, event="add", role=role)
    policy.forget(user)
    return membership


INVITATION_SALT = "marketplace.membership.invitation"
INVITATION_MAX_AGE = dt.timedelta(days=7)


def _invitation_token(*, organisation: Organisation, email: str, role: str) -> str:
    return signing.dumps({"o": organisation.pk, "e": email, "r": role}, salt=INVITATION_SALT, compress=True)


def invitation_read(token: str) -> dict:
    """The organisation, email and role a token carries; refused when forged or older than seven days."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationFailed(_("This invitation has expired. Please ask for a new one."),
                               code="invitation_expired") from exc
    except signing.BadSignature as exc:
        raise NotFound(_("This invitation link is not valid.")) from exc
    organisation = Organisation.objects.filter(pk=data.get("o")).first()
    if organisation is None:
        raise NotFound(_("This invitation link is not valid."))
    return {"organisation": organisation, "email": data["e"], "role": data["r"]}


@transaction.atomic
def membership_invite(*, actor: User, organisation: Organisation, email: str,
                      role: str = Membership.Role.MEMBER) -> str:
    """An organisation's admin invites someone by email. The link is signed and valid for seven days.

    Returns the token; the email goes out after commit, in the inviter's current language.
    """
    if not policy.can_manage_organisation(actor, organisation):
        raise PermissionDenied()
    if role not in Membership.Role.values:
        raise ValidationFailed(_("Unknown role."), code="role")
    if organisation.status in (Organisation.Status.REMOVED, Organisation.Status.REJECTED):
        raise Conflict(_("This organisation can no longer take new members."))
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise ValidationFailed(_("Please give an email address."), code="email_required")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise Conflict(_("%(email)s is already a member.") % {"email": email}, code="already_member")
    for invitee in User.objects.filter(email__iexact=email):
        refuse_platform_staff_member(invitee)
    token = _invitation_token(organisation=organisation, email=email, role=role)
    audit_record(actor=actor, verb="membership.invite", obj=organisation, after={"email": email, "role": role})
    language = translation.get_language() or actor.language
    with translation.override(language):
        context = {"organisation": organisation.name, "inviter": str(actor), "role": str(Membership.Role(role).label),
                   "path": reverse("marketplace:invitation_accept", args=[token]), "days": INVITATION_MAX_AGE.days}
    from .outbox import enqueue
    from .tasks import send_email_to_address

    enqueue(send_email_to_address, kwargs={
        "email": email, "template": "membership_invitation", "context": context, "language": language})
    return token


@transaction.atomic
def membership_accept_invitation(*, actor: User, token: str) -> Membership:
    """The invitee, signed in with the invited email address, joins. Accepting twice changes nothing."""
    invitation = invitation_read(token)
    organisation = invitation["organisation"]
    if (actor.email or "").lower() != invitation["email"]:
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Please sign in with that address to accept it.")
            % {"email": invitation["email"]}, code="invitation_other_email",
        )
    if organisation.status in (Organisation.Status.REMOVED, Organisation.Status.REJECTED):
        raise Conflict(_("This organisation can no longer take new members."))
    refuse_platform_staff_member(actor)
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=actor, defaults={"role": invitation["role"]}
    )
    if created:
        audit_record(actor=actor, verb="membership.accept", obj=organisation,
                     after={"user": actor.pk, "role": membership.role})
        _membership_changed(actor=actor, organisation=organisation, member=actor, event="accept",
                            role=membership.role)
        policy.forget(actor)
    return membership


def _lock_members(organisation_id: int) -> list[Membership]:
    """Lock every membership of the organisation, so two admins cannot both step down at once."""
    return list(Membership.objects.select_for_update().filter(organisation_id=organisation_id).order_by("pk"))


def _ensure_another_admin(members: list[Membership], leaving: Membership) -> None:
    if leaving.role != Membership.Role.ADMIN:
        return
    if not any(m.role == Membership.Role.ADMIN and m.pk != leaving.pk for m in members):
        raise Conflict(_("An organisation needs at least one administrator. Make another member an "
                         "administrator first."), code="last_admin")


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    if not policy.can_manage_organisation(actor, membership.organisation):
        raise PermissionDenied()
    if role not in Membership.Role.values:
        raise ValidationFailed(_("Unknown role."), code="role")
    members = _lock_members(membership.organisation_id)
    current = next((m for m in members if m.pk == membership.pk), None)
    if current is None:
        raise NotFound()
    if current.role == role:
        return current
    if role != Membership.Role.ADMIN:
        _ensure_another_admin(members, current)
    before = current.role
    current.role = role
    current.save(update_fields=["role"])
    audit_record(actor=actor, verb="membership.role", obj=current.organisation,
                 before={"user": current.user_id, "role": before}, after={"user": current.user_id, "role": role})
    _membership_changed(actor=actor, organisation=current.organisation, member=current.user, event="role", role=role)
    policy.forget(current.user)
    return current


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """An admin removes a member, or a member leaves. The last admin can do neither."""
    leaving = membership.user_id == actor.pk
    if not leaving and not policy.can_manage_organisation(actor, membership.organisation):
        raise PermissionDenied()
    members = _lock_members(membership.organisation_id)
    current = next((m for m in members if m.pk == membership.pk), None)
    if current is None:
        raise NotFound()
    _ensure_another_admin(members, current)
    organisation = current.organisation
    user = current.user
    current.delete()
    audit_record(actor=actor, verb="membership.leave" if leaving else "membership.remove", obj=organisation,
                 before={"user": user.pk, "role": current.role})
    _membership_changed(actor=actor, organisation=organisation, member=user, event="leave" if leaving else "remove")
    policy.forget(user)


@transaction.atomic
def reputation_set(
    *, subject: Organisation | StreetOffice, score: Decimal | None, count: int, breakdown: dict,
    total: int | None = None, contracts_completed: int | None = None, contracts_terminated: int | None = None,
) -> None:
    """Write the reputation fields. Only `ratings` calls this, after it recomputes a subject's aggregate.

    `breakdown` is the sum of scores per criterion and `total` the sum over all criteria (see ratings.aggregation).
    """
    fields = {"rating_score": score, "rating_count": count, "rating_breakdown": breakdown}
    if total is not None:
        fields["rating_total"] = total
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


def reputation_scores_set(*, model: type[Organisation] | type[StreetOffice], scores: dict[int, Decimal | None]) -> int:
    """Write the Bayesian score of many subjects of one side at once (the side's global mean moved).

    Only rows whose score changes are written, in one UPDATE per 500 rows. Returns how many changed.
    """
    current = dict(model.objects.filter(pk__in=list(scores)).values_list("pk", "rating_score"))
    changed = [model(pk=pk, rating_score=score) for pk, score in scores.items()
               if pk in current and current[pk] != score]
    if changed:
        model.objects.bulk_update(changed, ["rating_score"], batch_size=500)
    return len(changed)


def reputation_indicators_set(
    *, subject: Organisation | StreetOffice, indicators: dict,
    contracts_completed: int | None = None, contracts_terminated: int | None = None,
) -> None:
    """Write the objective indicators that `ratings` computed from contracts, payments and objections."""
    fields = {"indicators": indicators}
    if isinstance(subject, Organisation):
        if contracts_completed is not None:
            fields["contracts_completed"] = contracts_completed
        if contracts_terminated is not None:
            fields["contracts_terminated"] = contracts_terminated
    type(subject).objects.filter(pk=subject.pk).update(**fields)
    for name, value in fields.items():
        setattr(subject, name, value)
