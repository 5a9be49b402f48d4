"""Reads with rules for the verification work: the queue each verifier sees, and what an application lacks.

(Kept apart from selectors.py, which the directory work owns; it may move there.)
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from . import policy
from .errors import NotFound, PermissionDenied
from .models import Organisation, Track

VERIFIER_ROLES = (policy.Role.PROCUREMENT, policy.Role.HEAD)


def verifier_office_ids(user) -> set[int]:
    """The offices whose filed applications this user may approve."""
    roles = policy.principal(user).office_roles
    return {office_id for office_id, held in roles.items() if held & set(VERIFIER_ROLES)}


def may_use_queue(user) -> bool:
    return policy.is_operator(user) or bool(verifier_office_ids(user))


def verification_queue(*, user) -> QuerySet[Organisation]:
    """Pending applications, oldest first: operators see registered ones; an office's procurement officers
    and head see the filed ones of their office. Refused (403) for anyone who verifies nothing."""
    if not may_use_queue(user):
        raise PermissionDenied()
    scope = Q(pk__in=[])
    if policy.is_operator(user):
        scope |= Q(track=Track.REGISTERED)
    offices = verifier_office_ids(user)
    if offices:
        scope |= Q(track=Track.FILED, home_office_id__in=offices)
    return (
        Organisation.objects.filter(scope, status=Organisation.Status.PENDING)
        .select_related("home_office")
        .prefetch_related("categories")
        .order_by("created_at", "pk")
    )


def organisation_get_for_verifier(*, user, pk: int) -> Organisation:
    """An application this user may verify or reject; 'not found' otherwise, so ids cannot be probed."""
    organisation = Organisation.objects.filter(pk=pk).select_related("home_office").first()
    if organisation is None or not policy.can_verify_organisation(user, organisation):
        raise NotFound()
    return organisation


def organisation_get_for_operator(*, user, pk: int) -> Organisation:
    """The operators' page of one organisation: 403 for anyone else (before any lookup), 404 if missing."""
    if not policy.can_govern_organisations(user):
        raise PermissionDenied()
    organisation = (
        Organisation.objects.filter(pk=pk).select_related("home_office__district").prefetch_related("categories")
        .first()
    )
    if organisation is None:
        raise NotFound()
    return organisation


def verification_missing(organisation: Organisation, *, category_count: int | None = None) -> list[str]:
    """What the verifier still needs from the applicant. Empty when the application is complete."""
    missing = []
    if organisation.track == Track.REGISTERED and not organisation.certificate:
        missing.append(_("The registration certificate (PDF, JPEG or PNG)."))
    if category_count is None:
        category_count = organisation.categories.count()
    if not category_count:
        missing.append(_("At least one service category the organisation offers."))
    if not organisation.contact_phone:
        missing.append(_("A contact phone number."))
    return missing
