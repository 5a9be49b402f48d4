"""Organisation states: every transition, allowed and refused, through the services; each one audited."""

import datetime as dt

import pytest

from marketplace import services
from marketplace.audit import audit_history
from marketplace.errors import InvalidTransition, PermissionDenied, ValidationFailed
from marketplace.models import AuditEvent, Organisation, Track
from tests.factories import OrganisationFactory, StreetOfficeFactory, UserFactory, make_uscc

pytestmark = pytest.mark.django_db
S = Organisation.Status


@pytest.fixture
def operator():
    return UserFactory(is_platform_operator=True)


def test_registered_application_verified_by_operator(operator):
    applicant = UserFactory()
    org = services.organisation_apply_registered(
        actor=applicant, name="长青社工", uscc=make_uscc().lower(), legal_representative="张三",
        registration_authority="滨江区民政局",
    )
    assert org.status == S.PENDING and org.uscc.isupper()
    assert org.memberships.get().user == applicant
    with pytest.raises(PermissionDenied):
        services.organisation_verify(actor=applicant, organisation=org)
    org = services.organisation_verify(actor=operator, organisation=org)
    assert org.status == S.VERIFIED
    assert [e.verb for e in audit_history(org)] == ["organisation.verify", "organisation.apply"]


def test_duplicate_uscc_refused_with_clear_message():
    code = make_uscc()
    OrganisationFactory(uscc=code)
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_apply_registered(actor=UserFactory(), name="重复", uscc=code,
                                               legal_representative="李四", registration_authority="民政局")
    assert exc.value.code == "uscc_taken"


def test_filed_application_approved_by_its_office_gets_a_filing_number(operator):
    office = StreetOfficeFactory()
    org = services.organisation_apply_filed(actor=UserFactory(), name="银龄志愿服务队", home_office=office)
    other_office_head = UserFactory()
    services.office_staff_add(actor=operator, office=StreetOfficeFactory(), user=other_office_head, role="head")
    with pytest.raises(PermissionDenied):
        services.organisation_verify(actor=other_office_head, organisation=org)
    head = UserFactory()
    services.office_staff_add(actor=operator, office=office, user=head, role="head")
    org = services.organisation_verify(actor=head, organisation=org)
    assert org.status == S.VERIFIED and org.filing_number.startswith("BA-")
    assert org.track == Track.FILED


def test_reject_needs_a_reason(operator):
    org = OrganisationFactory(status=S.PENDING)
    with pytest.raises(ValidationFailed):
        services.organisation_reject(actor=operator, organisation=org, reason="  ")
    org = services.organisation_reject(actor=operator, organisation=org, reason="证书不清晰")
    assert org.status == S.REJECTED and org.status_reason == "证书不清晰"
    with pytest.raises(InvalidTransition):
        services.organisation_verify(actor=operator, organisation=org)


def test_suspend_reinstate_remove(operator):
    org = OrganisationFactory()
    org = services.organisation_suspend(actor=operator, organisation=org, reason="财务不规范",
                                        until=dt.date(2027, 1, 1))
    assert org.status == S.SUSPENDED and org.suspended_until == dt.date(2027, 1, 1)
    org = services.organisation_reinstate(actor=operator, organisation=org)
    assert org.status == S.VERIFIED and org.suspended_until is None
    org = services.organisation_remove(actor=operator, organisation=org, reason="连续两年评价不合格")
    assert org.status == S.REMOVED
    for action in (services.organisation_reinstate,):
        with pytest.raises(InvalidTransition):
            action(actor=operator, organisation=org)
    with pytest.raises(InvalidTransition):
        services.organisation_suspend(actor=operator, organisation=org, reason="x")


def test_pending_cannot_be_suspended_and_only_operators_govern(operator):
    org = OrganisationFactory(status=S.PENDING)
    with pytest.raises(InvalidTransition):
        services.organisation_suspend(actor=operator, organisation=org, reason="x")
    with pytest.raises(PermissionDenied):
        services.organisation_suspend(actor=UserFactory(), organisation=OrganisationFactory(), reason="x")


def test_grade_is_set_by_operators_with_its_date(operator):
    org = OrganisationFactory()
    services.organisation_set_grade(actor=operator, organisation=org, grade="4", graded_on=dt.date(2026, 6, 1))
    org.refresh_from_db()
    assert org.get_grade_display() == "4A" and org.grade_date == dt.date(2026, 6, 1)


def test_audit_log_is_append_only(operator):
    org = OrganisationFactory(status=S.PENDING)
    services.organisation_verify(actor=operator, organisation=org)
    event = AuditEvent.objects.get(verb="organisation.verify")
    assert event.actor == operator and event.before == {"status": "pending"}
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(verb="x")
