"""Accounts through HTTP: sign-up with email confirmation, sign-in, password reset, and the two-factor rule
for street-office staff and platform operators."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail

from tests.conftest import verified_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize(("prefix", "words"), [("", ["登录", "社区服务采购平台"]),
                                               ("/en", ["Sign In", "Community Services Procurement Platform"])])
def test_account_pages_use_the_site_frame_in_both_languages(client, site, prefix, words):
    for name in ("login", "signup", "password/reset"):
        response = client.get(f"{prefix}/accounts/{name}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="site-header"' in html and 'class="field' in html
    html = client.get(f"{prefix}/accounts/login/").content.decode()
    for word in words:
        assert word in html


def test_sign_up_confirm_email_then_sign_in(client, site):
    response = client.post("/accounts/signup/", {"email": "new@example.cn", "password1": "Lotus-pond-2026",
                                                 "password2": "Lotus-pond-2026"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"login": "new@example.cn", "password": "Lotus-pond-2026"})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_weak_password_refused_by_the_validators(client, site):
    response = client.post("/accounts/signup/", {"email": "weak@example.cn", "password1": "12345678",
                                                 "password2": "12345678"})
    assert response.status_code == 200
    assert "error" in response.content.decode()


def test_password_reset_sends_a_link(client, site):
    user = UserFactory(email="forgot@example.cn")
    verified_email(user)
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.cn"})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_members_need_no_second_factor(client, world):
    client.force_login(world.member_a)
    assert client.get("/dashboard/").status_code == 200


def test_staff_without_totp_is_sent_to_activation_until_it_is_done(client, world):
    # given office staff who has no authenticator app yet
    user = UserFactory(email="new-officer@example.cn")
    verified_email(user)
    from marketplace.services import office_staff_add

    office_staff_add(actor=world.operator, office=world.office_x, user=user, role="procurement")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # when they open any page, they are sent to the activation page
    for path in ("/dashboard/", "/tenders/", "/en/dashboard/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.endswith("/accounts/2fa/totp/activate/"), (path, response.url)
    assert client.get("/healthz").status_code in (200, 503)
    # allauth asks for the password again before adding an authenticator; that page is let through
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302 and "/accounts/reauthenticate/" in response.url
    assert client.get(response.url).status_code == 200
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302 and response.url.endswith("/accounts/2fa/totp/activate/")
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200 and 'class="site-header"' in page.content.decode()
    # then a wrong code is refused and the redirect stays
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000" if current_code(secret) != "000000"
                                                            else "111111"})
    assert response.status_code == 200
    assert client.get("/dashboard/").status_code == 302
    # and a real code computed from the secret completes the activation and lifts the redirect
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get("/dashboard/").status_code == 200


def test_operator_with_totp_must_give_a_code_at_sign_in(client, world):
    response = client.post("/accounts/login/", {"login": world.operator.email, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response.url
    assert client.get("/dashboard/").status_code == 302  # not signed in yet
