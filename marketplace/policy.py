"""Who may see and do what: the one policy module. Views and selectors ask it; templates never decide.

A user's roles are loaded once per user object (three small queries at most) and cached on it, so
asking many questions in one request costs nothing more.
"""

from dataclasses import dataclass, field

from .models import Membership, OfficeStaff

Role = OfficeStaff.Role


@dataclass(frozen=True)
class Principal:
    authenticated: bool = False
    operator: bool = False
    office_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    org_roles: dict[int, str] = field(default_factory=dict)

    @property
    def office_ids(self) -> set[int]:
        return set(self.office_roles)

    @property
    def organisation_ids(self) -> set[int]:
        return set(self.org_roles)


ANONYMOUS = Principal()


def principal(user) -> Principal:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_principal", None)
    if cached is not None:
        return cached
    office_roles: dict[int, set[str]] = {}
    for office_id, role in OfficeStaff.objects.filter(user=user).values_list("office_id", "role"):
        office_roles.setdefault(office_id, set()).add(role)
    org_roles = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
    result = Principal(
        authenticated=True,
        operator=bool(user.is_platform_operator),
        office_roles={k: frozenset(v) for k, v in office_roles.items()},
        org_roles=org_roles,
    )
    user._principal = result
    return result


def forget(user) -> None:
    """Drop the cached roles after they change (for example right after joining an organisation)."""
    if hasattr(user, "_principal"):
        del user._principal


def is_operator(user) -> bool:
    return principal(user).operator


def has_office_role(user, office_id: int, *roles: str) -> bool:
    """Does the user hold a post in this office (any post, or one of `roles`)?"""
    held = principal(user).office_roles.get(office_id, frozenset())
    return bool(held) if not roles else bool(held & set(roles))


def is_office_staff(user) -> bool:
    return bool(principal(user).office_roles)


def is_member(user, organisation_id: int, *, admin: bool = False) -> bool:
    role = principal(user).org_roles.get(organisation_id)
    if role is None:
        return False
    return role == Membership.Role.ADMIN if admin else True


def can_manage_organisation(user, organisation) -> bool:
    return is_member(user, organisation.pk, admin=True)


def can_view_organisation_private(user, organisation) -> bool:
    """Certificates, history and members: the organisation itself, operators, and for a filed one its office."""
    if is_member(user, organisation.pk) or is_operator(user):
        return True
    return organisation.home_office_id is not None and has_office_role(user, organisation.home_office_id)


def can_verify_organisation(user, organisation) -> bool:
    """Registered organisations are verified by operators; filed ones by their office's staff (or operators)."""
    if is_operator(user):
        return True
    return organisation.track == "filed" and has_office_role(
        user, organisation.home_office_id, Role.PROCUREMENT, Role.HEAD
    )


def can_govern_organisations(user) -> bool:
    """Grades, suspension and removal are the civil-affairs bureau's."""
    return is_operator(user)


def can_run_procurement(user, office_id: int) -> bool:
    return has_office_role(user, office_id, Role.PROCUREMENT, Role.HEAD)


def can_approve(user, office_id: int) -> bool:
    return has_office_role(user, office_id, Role.HEAD)


def can_evaluate(user, office_id: int) -> bool:
    return has_office_role(user, office_id, Role.EVALUATOR)
