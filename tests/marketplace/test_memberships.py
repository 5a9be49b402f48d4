"""Memberships: signed email invitations, roles, and the rule that the last admin cannot leave."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from marketplace import policy, services
from marketplace.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from marketplace.models import AuditEvent, Membership
from tests.conftest import verified_email
from tests.factories import MembershipFactory, UserFactory
from tests.waiting import drain_tasks, wait_for

pytestmark = pytest.mark.django_db
ADMIN, MEMBER = Membership.Role.ADMIN, Membership.Role.MEMBER


# Committed transactions: the in-process worker closes the database connections when it starts (Celery's Django
# fix-up), which a test wrapped in one transaction would not survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_invitation_email_goes_out_through_the_worker_and_the_link_lets_the_invitee_join(
        client, world, celery_worker):
    # given the admin of A invites someone by email
    client.force_login(world.member_a)
    response = client.post(reverse("marketplace:member_invite", args=[world.org_a.pk]),
                           {"email": "Newcomer@Example.cn", "role": MEMBER})
    assert response.status_code == 302
    assert wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.cn"] and "长河社会工作服务中心" in message.subject
    path = re.search(r"http://testserver(/dashboard/invitations/\S+/)", message.body).group(1)
    # when someone else opens it, they cannot accept it
    client.force_login(world.member_b)
    response = client.post(path)
    assert response.status_code == 403
    assert not Membership.objects.filter(organisation=world.org_a, user=world.member_b).exists()
    # then the invitee, signed in with that address, accepts and becomes a member
    invitee = UserFactory(email="newcomer@example.cn")
    verified_email(invitee)
    client.force_login(invitee)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.get(organisation=world.org_a, user=invitee).role == MEMBER
    assert client.post(path).status_code == 302  # accepting twice changes nothing
    assert AuditEvent.objects.filter(verb="membership.accept").count() == 1
    assert client.get(reverse("marketplace:organisation_detail", args=[world.org_a.pk])).status_code == 200


def test_anonymous_invitee_is_sent_to_sign_in_first(client, world):
    token = services.membership_invite(actor=world.member_a, organisation=world.org_a, email="x@example.cn")
    response = client.get(reverse("marketplace:invitation_accept", args=[token]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_invitation_expires_after_seven_days_and_forged_tokens_are_not_found(world):
    invitee = UserFactory(email="late@example.cn")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0), tick=False) as clock:
        token = services.membership_invite(actor=world.member_a, organisation=world.org_a, email=invitee.email,
                                           role=ADMIN)
        clock.move_to(dt.datetime(2026, 3, 9, 9, 1))
        with pytest.raises(ValidationFailed) as exc:
            services.membership_accept_invitation(actor=invitee, token=token)
        assert exc.value.code == "invitation_expired"
    with pytest.raises(NotFound):
        services.membership_accept_invitation(actor=invitee, token=token[:-2] + "xx")


def test_only_admins_invite(world):
    plain = MembershipFactory(organisation=world.org_a, role=MEMBER).user
    with pytest.raises(PermissionDenied):
        services.membership_invite(actor=plain, organisation=world.org_a, email="a@example.cn")
    with pytest.raises(PermissionDenied):
        services.membership_invite(actor=world.member_b, organisation=world.org_a, email="a@example.cn")
    with pytest.raises(Conflict):
        services.membership_invite(actor=world.member_a, organisation=world.org_a, email=world.member_a.email)


def test_the_last_admin_cannot_leave_or_be_demoted(client, world):
    admin_membership = Membership.objects.get(organisation=world.org_a, user=world.member_a)
    with pytest.raises(Conflict):
        services.membership_remove(actor=world.member_a, membership=admin_membership)
    with pytest.raises(Conflict):
        services.membership_set_role(actor=world.member_a, membership=admin_membership, role=MEMBER)
    # Through HTTP the page says why, and nothing changes.
    client.force_login(world.member_a)
    response = client.post(reverse("marketplace:member_remove", args=[world.org_a.pk, admin_membership.pk]))
    assert response.status_code == 409
    assert "至少需要一名管理员" in response.content.decode()
    assert Membership.objects.filter(pk=admin_membership.pk).exists()
    # With a second admin, the first may step down and then leave.
    second = MembershipFactory(organisation=world.org_a, role=MEMBER)
    response = client.post(reverse("marketplace:member_role", args=[world.org_a.pk, second.pk]), {"role": ADMIN})
    assert response.status_code == 302
    services.membership_set_role(actor=world.member_a, membership=admin_membership, role=MEMBER)
    response = client.post(reverse("marketplace:member_remove", args=[world.org_a.pk, admin_membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=admin_membership.pk).exists()
    policy.forget(world.member_a)  # the roles cached on this test-side object predate the request
    assert not policy.is_member(world.member_a, world.org_a.pk)
    verbs = list(AuditEvent.objects.filter(verb__startswith="membership.").values_list("verb", flat=True))
    assert {"membership.role", "membership.leave"} <= set(verbs)


def test_admin_removes_a_member_but_members_cannot_remove_others(client, world):
    plain = MembershipFactory(organisation=world.org_a, role=MEMBER)
    other = MembershipFactory(organisation=world.org_a, role=MEMBER)
    client.force_login(plain.user)
    url = reverse("marketplace:member_remove", args=[world.org_a.pk, other.pk])
    assert client.post(url).status_code == 403
    client.force_login(world.member_a)
    assert client.post(url).status_code == 302
    assert not Membership.objects.filter(pk=other.pk).exists()
    # Another organisation's membership id under A's URL is 'not found'.
    foreign = Membership.objects.get(organisation=world.org_b)
    assert client.post(reverse("marketplace:member_remove", args=[world.org_a.pk, foreign.pk])).status_code == 404


# --- Memberships change only through the services: audited, and the organisation's admins are told ---------------


def _emails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


@pytest.mark.django_db(transaction=True)
def test_every_membership_change_is_audited_and_told_to_the_admins(world, celery_worker):
    # given org A with a second admin and a plain member
    second_admin = MembershipFactory(organisation=world.org_a, role=ADMIN, user__email="second@example.cn").user
    newcomer = UserFactory(email="joiner@example.cn")
    verified_email(newcomer)
    steps = [
        ("membership.add", lambda: services.membership_add(actor=world.member_a, organisation=world.org_a,
                                                           user=UserFactory(email="added@example.cn"))),
        ("membership.accept", lambda: services.membership_accept_invitation(
            actor=newcomer, token=services.membership_invite(actor=world.member_a, organisation=world.org_a,
                                                             email=newcomer.email))),
        ("membership.role", lambda: services.membership_set_role(
            actor=world.member_a, membership=Membership.objects.get(user=newcomer), role=ADMIN)),
        ("membership.remove", lambda: services.membership_remove(
            actor=world.member_a, membership=Membership.objects.get(user__email="added@example.cn"))),
        ("membership.leave", lambda: services.membership_remove(
            actor=newcomer, membership=Membership.objects.get(user=newcomer))),
    ]
    for verb, step in steps:
        drain_tasks()
        mail.outbox.clear()
        # when the change is made through its service
        step()
        # then it is in the audit log, and the other admins have an email about it
        assert AuditEvent.objects.filter(verb=verb, object_id=str(world.org_a.pk)).exists(), verb
        assert wait_for(lambda: _emails_to(second_admin.email)), verb
        drain_tasks()
        told = _emails_to(second_admin.email)
        assert len(told) == 1 and "长河社会工作服务中心" in told[0].subject, verb
        assert f"/dashboard/organisations/{world.org_a.pk}/" in told[0].body, verb
    # the one who made a change is not told of it; the newcomer who joined was not an admin then
    assert not _emails_to(newcomer.email)


@pytest.mark.django_db(transaction=True)
def test_membership_email_says_what_happened_in_the_recipients_language(world, celery_worker):
    english = MembershipFactory(organisation=world.org_a, role=ADMIN, user__email="en-admin@example.cn").user
    english.language = "en"
    english.save(update_fields=["language"])
    services.membership_add(actor=world.member_a, organisation=world.org_a,
                            user=UserFactory(email="helper@example.cn"), role=ADMIN)
    assert wait_for(lambda: len(mail.outbox) >= 2)
    drain_tasks()
    [message] = _emails_to(english.email)
    assert "helper@example.cn" in message.body and "as Administrator" in message.body
    [chinese] = _emails_to("helper@example.cn")  # the member concerned is told too, in their language
    assert "管理员" in chinese.body


def test_only_an_admin_of_the_organisation_adds_members(world):
    plain = MembershipFactory(organisation=world.org_a, role=MEMBER).user
    for actor in (plain, world.member_b, world.operator):
        with pytest.raises(PermissionDenied):
            services.membership_add(actor=actor, organisation=world.org_a, user=UserFactory())
    assert not AuditEvent.objects.filter(verb="membership.add").exists()


@pytest.mark.parametrize("flag", ["is_platform_operator", "is_staff", "is_superuser"])
def test_platform_staff_cannot_join_an_organisation_by_any_service(world, flag):
    staff = UserFactory(email=f"{flag}@example.cn", **{flag: True})
    verified_email(staff)
    # not added by an admin
    with pytest.raises(PermissionDenied) as exc:
        services.membership_add(actor=world.member_a, organisation=world.org_a, user=staff)
    assert exc.value.code == "operator_member"
    # not invited, and an invitation made out to their address before they became staff cannot be accepted
    with pytest.raises(PermissionDenied):
        services.membership_invite(actor=world.member_a, organisation=world.org_a, email=staff.email)
    token = services._invitation_token(organisation=world.org_a, email=staff.email, role=ADMIN)
    with pytest.raises(PermissionDenied):
        services.membership_accept_invitation(actor=staff, token=token)
    # and they do not apply for an organisation of their own either
    with pytest.raises(PermissionDenied):
        services.organisation_apply_filed(actor=staff, name="运营人员的社团", home_office=world.office_x)
    assert not Membership.objects.filter(user=staff).exists()
    assert not AuditEvent.objects.filter(verb__in=("membership.add", "membership.accept")).exists()


def test_the_operator_accepting_an_invitation_through_the_page_is_refused_with_the_reason(client, world):
    token = services._invitation_token(organisation=world.org_a, email=world.operator.email, role=ADMIN)
    client.force_login(world.operator)
    response = client.post(reverse("marketplace:invitation_accept", args=[token]))
    assert response.status_code == 403
    assert "平台运营人员不能成为社会组织的成员" in response.content.decode()
    assert not Membership.objects.filter(user=world.operator).exists()
