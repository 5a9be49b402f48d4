"""No operator takes over a member's account through the Django admin (and with it the organisation's sealed bids)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import check_password

from marketplace.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, world):
    root = User.objects.create_superuser(email="root@example.cn", password="x-long-pass-2026")  # noqa: S106
    client.force_login(root)
    return client


def test_the_admin_cannot_set_a_members_password(operator_client, world):
    member = world.member_a
    url = f"/django-admin/marketplace/user/{member.pk}/password/"
    assert operator_client.get(url).status_code == 403
    response = operator_client.post(url, {"password1": "taken-over-2026!", "password2": "taken-over-2026!"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert not check_password("taken-over-2026!", member.password)


def test_the_admin_cannot_change_a_members_sign_in_address(operator_client, world):
    member = world.member_a
    page = operator_client.get(f"/django-admin/marketplace/user/{member.pk}/change/").content.decode()
    assert 'name="email"' not in page
    operator_client.post(f"/django-admin/marketplace/user/{member.pk}/change/",
                         {"email": "attacker@example.cn", "display_name": "x", "language": "zh-hans"})
    member.refresh_from_db()
    assert member.email == "member_a@example.cn"


def test_the_admin_adds_and_edits_no_email_address(operator_client, world):
    assert operator_client.get("/django-admin/account/emailaddress/add/").status_code == 403
    address = EmailAddress.objects.get(user=world.member_a)
    operator_client.post(f"/django-admin/account/emailaddress/{address.pk}/change/",
                         {"user": world.member_a.pk, "email": "attacker@example.cn", "verified": "on", "primary": "on"})
    address.refresh_from_db()
    assert address.email == "member_a@example.cn"
    assert not EmailAddress.objects.filter(email="attacker@example.cn").exists()
