"""One way in (docs/decisions/0008-one-way-in.md), attacked through HTTP.

- The Django admin's and Wagtail's own sign-in forms sign nobody in: they lead to allauth's sign-in.
- A session that has not passed the second factor reaches no URL at all for staff (office staff, operators,
  superusers made by `createsuperuser`): every pattern of the URL resolver is walked.
- A real TOTP code, in that same session, lets it in.
- Failed sign-ins lock the account whatever the IP; behind a trusted proxy one client's failures do not lock the
  others; without a trusted proxy a forged X-Forwarded-For changes nothing.
- Any number of people sign up (and apply for their organisations).
- The Django admin of authenticators never shows or edits a secret.
"""

import json
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from config.settings.base import ACCOUNT_RATE_LIMITS
from marketplace.models import Organisation, Track, User
from tests.conftest import give_totp
from tests.factories import UserFactory, make_uscc
from tests.mfa import mfa_login, password_step, plain_force_login, record_steps

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"  # the factories' password
ROOT_PASSWORD = "Root-of-trust-2026"


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture(autouse=True)
def _codes_survive_a_slow_request(settings):
    """A code computed here is checked a request later: on a busy machine that can be the next 30-s window."""
    settings.MFA_TOTP_TOLERANCE = 1


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def fresh_totp(user) -> str:
    """A new authenticator for `user`, whose secret the test knows."""
    Authenticator.objects.filter(user=user).delete()
    return give_totp(user)


@pytest.fixture
def superuser(db, monkeypatch):
    """A superuser made exactly as an installation would make one: `manage.py createsuperuser`."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ROOT_PASSWORD)
    call_command("createsuperuser", interactive=False, username="root", email="root@example.cn", verbosity=0)
    return User.objects.get(email="root@example.cn")


@pytest.fixture
def operator(world):
    """The world's operator, also a Django-admin superuser as the demo's operator is."""
    world.operator.is_staff = world.operator.is_superuser = True
    world.operator.save(update_fields=["is_staff", "is_superuser"])
    return world.operator


# --- The admins' own sign-in forms -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("login_path", "admin_home"), [("/django-admin/login/", "/django-admin/"),
                                                       ("/admin/login/", "/admin/"),
                                                       ("/_util/login/", "/dashboard/"),
                                                       ("/en/_util/login/", "/dashboard/")])
@pytest.mark.parametrize("who", ["office_staff", "operator", "superuser"])
def test_the_admins_sign_in_forms_sign_nobody_in(client, world, operator, superuser, who, login_path, admin_home,
                                                 language):
    user, password = {"office_staff": (world.procurement_x, PASSWORD), "operator": (operator, PASSWORD),
                      "superuser": (superuser, ROOT_PASSWORD)}[who]
    client.cookies["django_language"] = language
    # 8 wrong passwords, then the right one, as the attack did: none of them signs in
    for attempt in [f"wrong-{i}" for i in range(8)] + [password]:
        response = client.post(f"{login_path}?next={admin_home}",
                               {"username": user.email, "password": attempt, "next": admin_home},
                               HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302
        login_page = "/en/accounts/login/" if login_path.startswith("/en/") else "/accounts/login/"
        assert response.url == f"{login_page}?next={admin_home.replace('/', '%2F')}", response.url
        assert signed_in_user_id(client) is None
    # the admins stay closed, and their sign-in leads to allauth's page, which asks for the code after the password
    response = client.get(admin_home)
    assert response.status_code == 302 and signed_in_user_id(client) is None
    page = client.get(response.url, follow=True)
    assert page.request["PATH_INFO"] == "/accounts/login/" and page.status_code == 200
    english = client.get(f"/en/accounts/login/?next={admin_home}")
    assert english.status_code == 200 and "Sign In" in english.content.decode()


def test_wagtail_sends_signed_out_visitors_and_password_resets_to_allauth(client, site):
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=")
    response = client.post("/admin/password_reset/", {"email": "someone@example.cn"})
    assert response.status_code == 302 and response.url == "/accounts/password/reset/"
    assert not mail.outbox
    assert "password_reset" not in client.get("/accounts/login/?next=/admin/").content.decode()


def test_a_next_to_another_site_is_dropped(client, site):
    response = client.get("/django-admin/login/?next=https://evil.example/")
    assert response.url == "/accounts/login/?next=%2Fdjango-admin%2F"


# --- Every URL, for a session without the second factor ----------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _sample(group: str) -> str:
    if re.fullmatch(r"[\w|]+", group):  # an alternation of words: take the first
        return group.split("|")[0]
    return "1" if ("\\d" in group or "0-9" in group) else "x"


def concrete_path(route: str) -> str:
    """A path that the route matches (or nearly: the middleware decides before any view looks at it)."""
    path = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", lambda m: _sample(m.group(1)), route)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: {"int": "1", "uuid": str(uuid.UUID(int=1))}.get(m.group(1), "x"),
                  path)
    path = re.sub(r"\((?:[^()]|\([^()]*\))*\)[*?]?", "", path)
    path = path.replace("\\.", ".").replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def every_path() -> list[str]:
    paths = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            paths |= {concrete_path(route) for route in _walk(get_resolver().url_patterns)}
    return sorted(paths)


OPEN_WITHOUT_SECOND_FACTOR = {"account_logout", "set_language", "healthz", "mfa_reauthenticate"}


def _name(path: str) -> str:
    try:
        return resolve(path).url_name or ""
    except Exception:  # noqa: BLE001 - an unresolvable sample path is still requested
        return ""


def doors_left_open(client, paths) -> list[str]:
    """Every path that does NOT send this session to allauth's code page."""
    problems = []
    for path in paths:
        if _name(path) in OPEN_WITHOUT_SECOND_FACTOR:
            continue
        # the middleware answers before any view and whatever the method: POST is tried outside the admins' many
        # pages, where the office and operator actions are
        methods = ("get",) if path.startswith(("/admin/", "/django-admin/")) else ("get", "post")
        for method in methods:
            response = getattr(client, method)(path)
            location = response.get("Location", "")
            if response.status_code != 302 or "/accounts/2fa/reauthenticate/?next=" not in location:
                problems.append(f"{method.upper()} {path}: {response.status_code} {location}")
    return problems


def test_the_walk_covers_every_area():
    paths = every_path()
    for expected in ("/django-admin/", "/django-admin/marketplace/user/x/change/", "/django-admin/auth/", "/_util/login/", "/admin/pages/1/edit/",
                     "/dashboard/", "/dashboard/operator/queue/", "/en/dashboard/operator/queue/",
                     "/dashboard/operator/organisations/1/suspend/", "/accounts/2fa/recovery-codes/",
                     "/accounts/2fa/totp/deactivate/", "/accounts/password/change/", "/accounts/email/"):
        assert expected in paths, expected
    assert len(paths) > 400


@pytest.mark.parametrize(("who", "records"), [("office_staff", "password_only"), ("operator", "password_only"),
                                             ("superuser", "none"), ("is_staff_only", "password_only")])
def test_a_session_without_the_second_factor_reaches_no_url(client, world, operator, superuser, who, records):
    user = {"office_staff": world.procurement_x, "operator": operator,
            "superuser": superuser, "is_staff_only": UserFactory(email="clerk@example.cn", is_staff=True)}[who]
    secret = fresh_totp(user)
    # given a session signed in with the password alone (what the admins' own forms gave)
    plain_force_login(client, user)
    if records == "password_only":
        record_steps(client, user, password_step(user))
    # then every URL of the project, in both languages, sends it to the code page (with where it was going)
    problems = doors_left_open(client, every_path())
    assert not problems, "\n".join(problems[:40])
    response = client.get("/django-admin/")
    assert response.url == "/accounts/2fa/reauthenticate/?next=%2Fdjango-admin%2F"
    # a wrong code does not open it
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    response = client.post(reverse("mfa_reauthenticate"), {"code": wrong})
    assert response.status_code == 200
    assert client.get("/dashboard/").status_code == 302
    # and a real code, in this same session, lets it in where its roles allow
    response = client.post(f"{reverse('mfa_reauthenticate')}?next=/dashboard/", {"code": code_for(secret)})
    assert response.status_code == 302 and response.url == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/en/dashboard/").status_code == 200
    if user.is_superuser:
        assert client.get("/django-admin/").status_code == 200
        assert client.get("/admin/").status_code == 200
    if who == "operator":
        assert client.get("/dashboard/operator/queue/").status_code == 200


def test_a_code_of_another_session_does_not_count(client, world):
    """The records are the session's: a second browser signed in with the password alone is still kept out."""
    from django.test import Client

    mfa_login(client, world.procurement_x)
    assert client.get("/dashboard/").status_code == 200
    other = Client()
    plain_force_login(other, world.procurement_x)
    record_steps(other, world.procurement_x, password_step(world.procurement_x))
    response = other.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/2fa/reauthenticate/" in response.url


def test_a_record_of_another_user_does_not_count(client, world):
    """allauth keys the records by user: a session that passed for a member, then is logged in as staff, has not."""
    member_secret = fresh_totp(world.member_a)
    mfa_login(client, world.member_a)
    assert member_secret
    session = client.session
    records = session["account_authentication_methods"]
    plain_force_login(client, world.procurement_x)
    session = client.session
    session["account_authentication_methods"] = records  # the member's mfa step, left in the session
    session.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/2fa/reauthenticate/" in response.url


# --- Signing in through allauth, the only way ----------------------------------------------------------------


def test_a_createsuperuser_superuser_confirms_the_email_then_activates_totp(client, site, superuser):
    # the first sign-in asks to confirm the address (mandatory verification), which signs nobody in
    response = client.post("/accounts/login/", {"login": superuser.email, "password": ROOT_PASSWORD})
    assert response.status_code == 302 and signed_in_user_id(client) is None
    link = re.search(r"https?://testserver(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    assert client.post(link).status_code == 302
    response = client.post("/accounts/login/", {"login": superuser.email, "password": ROOT_PASSWORD})
    assert response.status_code == 302 and signed_in_user_id(client) == str(superuser.pk)
    # signed in with the password alone: every admin sends them to activate an authenticator app
    for path in ("/django-admin/", "/admin/", "/dashboard/", "/accounts/2fa/recovery-codes/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/accounts/2fa/totp/activate/", path
    response = client.get("/accounts/2fa/totp/activate/")
    response = client.post(response.url, {"password": ROOT_PASSWORD})  # allauth asks for the password again
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": code_for(secret)})
    assert response.status_code == 302, response.context["form"].errors
    assert client.get("/django-admin/").status_code == 200
    assert client.get("/admin/").status_code == 200
    # and from then on, the sign-in asks for the code after the password
    client.logout()
    response = client.post("/accounts/login/", {"login": superuser.email, "password": ROOT_PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/authenticate/")
    assert signed_in_user_id(client) is None
    response = client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
    assert response.status_code == 302 and signed_in_user_id(client) == str(superuser.pk)
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_staff_sign_in_with_password_and_code_through_allauth(client, world, operator, prefix):
    secret = fresh_totp(operator)
    response = client.post(f"{prefix}/accounts/login/?next=/django-admin/",
                           {"login": operator.email, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response.url
    assert client.get("/django-admin/").status_code == 302
    response = client.post(response.url, {"code": code_for(secret)})
    assert response.status_code == 302 and response.url == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200
    assert client.get(f"{prefix}/dashboard/operator/queue/").status_code == 200


# --- Limits on failed sign-ins -------------------------------------------------------------------------------


@pytest.fixture
def limits(settings):
    """The limits of the real settings (the test settings switch them off)."""
    settings.ACCOUNT_RATE_LIMITS = ACCOUNT_RATE_LIMITS
    return settings


def login(client, email, password, *, ip="192.0.2.1", prefix="/en", **headers):
    return client.post(f"{prefix}/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip,
                       **headers)


def test_the_settings_count_failures_per_account_and_per_ip():
    assert re.search(r"/ip\b", ACCOUNT_RATE_LIMITS["login_failed"])
    assert re.search(r"/key\b", ACCOUNT_RATE_LIMITS["login_failed"])


def settings_values(module: str, **env) -> dict:
    """The values a settings module gives in a fresh process with this environment (as a server starts)."""
    script = (f"import json, {module} as s; print(json.dumps({{'limits': s.ACCOUNT_RATE_LIMITS, "
              "'count': s.ALLAUTH_TRUSTED_PROXY_COUNT, 'header': s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER}))")
    base_env = {key: value for key, value in os.environ.items() if not key.startswith(("ALLAUTH_", "DJANGO_"))}
    result = subprocess.run([sys.executable, "-c", script], env={**base_env, **env}, capture_output=True, text=True,
                            check=True, cwd=django_settings.BASE_DIR)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.production"])
def test_local_and_production_limit_sign_ins_and_read_the_proxy_from_the_environment(module):
    env = {"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "example.cn",
           "DATABASE_URL": "postgres://u:p@db:5432/x", "CELERY_BROKER_URL": "redis://r:6379/0"}
    default = settings_values(module, **env)
    assert default["limits"]["login_failed"] == ACCOUNT_RATE_LIMITS["login_failed"]
    assert default["count"] == 0 and default["header"] is None  # no proxy trusted unless configured
    behind = settings_values(module, ALLAUTH_TRUSTED_PROXY_COUNT="2", ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP",
                             **env)
    assert behind["count"] == 2 and behind["header"] == "X-Real-IP"


def test_failures_lock_the_account_whatever_the_ip(client, world, limits):
    user = world.member_a
    for i in range(5):
        response = login(client, user.email, f"wrong-{i}", ip=f"198.51.100.{i + 1}")
        assert response.status_code == 200
    # the right password, from yet another address, is refused while the account is locked
    response = login(client, user.email, PASSWORD, ip="203.0.113.50")
    assert response.status_code == 200 and signed_in_user_id(client) is None
    assert "Too many failed login attempts" in response.content.decode()
    # another account is not locked by it
    response = login(client, world.member_b.email, PASSWORD, ip="198.51.100.1")
    assert response.status_code == 302 and signed_in_user_id(client) == str(world.member_b.pk)


def test_the_account_lock_also_holds_for_staff_and_in_chinese(client, world, limits):
    for i in range(5):
        login(client, world.operator.email, f"wrong-{i}", ip=f"198.51.100.{i + 1}", prefix="")
    response = login(client, world.operator.email, PASSWORD, ip="203.0.113.50", prefix="")
    assert response.status_code == 200 and "/accounts/2fa/authenticate/" not in response.get("Location", "")
    assert "登录失败次数过多" in response.content.decode() or "尝试次数过多" in response.content.decode()


def _one_client_fails_many_times(client, headers):
    for i in range(10):  # 10 failures a minute per IP are allowed, across any accounts
        response = login(client, f"nobody{i}@example.cn", "guess", ip="10.0.0.2", **headers)
        assert response.status_code == 200


@pytest.mark.parametrize(("proxy_settings", "attacker", "victim"), [
    ({"ALLAUTH_TRUSTED_PROXY_COUNT": 1},
     {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}, {"HTTP_X_FORWARDED_FOR": "198.51.100.9"}),
    ({"ALLAUTH_TRUSTED_PROXY_COUNT": 1},  # a forged first entry is the client's own: the proxy's last one counts
     {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7"}, {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.9"}),
    ({"ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"},
     {"HTTP_X_REAL_IP": "203.0.113.7"}, {"HTTP_X_REAL_IP": "198.51.100.9"}),
])
def test_behind_the_trusted_proxy_one_client_does_not_lock_out_the_others(client, world, limits, proxy_settings,
                                                                          attacker, victim):
    for key, value in proxy_settings.items():
        setattr(limits, key, value)
    # one client, behind the proxy (every request comes from the proxy's 10.0.0.2), fails until its limit
    _one_client_fails_many_times(client, attacker)
    response = login(client, world.member_a.email, PASSWORD, ip="10.0.0.2", **attacker)
    assert response.status_code == 200 and signed_in_user_id(client) is None  # that client is limited
    # another client, through the same proxy, signs in
    response = login(client, world.member_a.email, PASSWORD, ip="10.0.0.2", **victim)
    assert response.status_code == 302 and signed_in_user_id(client) == str(world.member_a.pk)


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_ip_limit(client, world, limits):
    # no proxy is trusted (the default): X-Forwarded-For is the client's own word and is ignored
    for i in range(10):
        login(client, f"nobody{i}@example.cn", "guess", ip="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.1.1.{i}")
    response = login(client, world.member_a.email, PASSWORD, ip="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 200 and signed_in_user_id(client) is None


def test_a_request_that_skipped_the_proxy_is_counted_by_its_own_address(client, world, limits):
    """With a proxy configured, a request without the header (from the machine itself) is no error page."""
    limits.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    response = login(client, world.member_a.email, PASSWORD, ip="127.0.0.1")
    assert response.status_code == 302 and signed_in_user_id(client) == str(world.member_a.pk)
    client.logout()
    limits.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
    limits.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    response = login(client, world.member_a.email, PASSWORD, ip="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert response.status_code == 302


# --- Sign-up for everyone --------------------------------------------------------------------------------------


def sign_up(client, email, prefix=""):
    password = "Lotus-pond-2026"
    response = client.post(f"{prefix}/accounts/signup/", {"email": email, "password1": password,
                                                          "password2": password})
    assert response.status_code == 302, response.content.decode()[:1500]
    link = re.search(r"https?://testserver(/(?:en/)?accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    assert client.post(link).status_code == 302
    client.logout()
    response = client.post(f"{prefix}/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302
    return User.objects.get(email=email)


def test_any_number_of_residents_and_organisations_sign_up(client, world):
    # an older account whose username is an address it no longer uses
    UserFactory(email="moved@example.cn", username="taken@example.cn")
    people = []
    for i, (email, prefix) in enumerate([("resident1@example.cn", ""), ("resident2@example.cn", "/en"),
                                         ("resident3@example.cn", ""), ("taken@example.cn", "/en"),
                                         ("org-registered@example.cn", ""), ("org-filed@example.cn", "/en")]):
        people.append(sign_up(client, email, prefix))
        assert client.get(f"{prefix}/dashboard/").status_code == 200, i
        if email == "org-registered@example.cn":
            response = client.post("/dashboard/organisations/apply/registered/", {
                "name": "新苗社会工作服务中心", "uscc": make_uscc(), "legal_representative": "王五",
                "registration_authority": "杭州市滨江区民政局", "categories": [world.category.pk],
                "certificate": SimpleUploadedFile("c.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")})
            assert response.status_code == 302, response.content.decode()[:1500]
        if email == "org-filed@example.cn":
            response = client.post("/en/dashboard/organisations/apply/filed/", {
                "name": "长河邻里互助队", "home_office": world.office_x.pk, "categories": [world.category.pk]})
            assert response.status_code == 302, response.content.decode()[:1500]
        client.logout()
    assert len({person.username for person in people}) == len(people)
    assert all(person.username for person in people)
    assert Organisation.objects.filter(name="新苗社会工作服务中心", track=Track.REGISTERED).exists()
    assert Organisation.objects.filter(name="长河邻里互助队", track=Track.FILED).exists()


# --- Authenticators in the Django admin -------------------------------------------------------------------------


def test_the_authenticator_admin_shows_and_edits_no_secret(client, world, operator):
    secrets = [fresh_totp(world.procurement_x), fresh_totp(operator)]
    mfa_login(client, operator)
    totp = Authenticator.objects.get(user=world.procurement_x, type=Authenticator.Type.TOTP)
    base = "/django-admin/mfa/authenticator/"
    pages = [client.get(base), client.get(f"{base}{totp.pk}/change/"), client.get("/django-admin/mfa/")]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        for secret in secrets:
            assert secret not in html and secret.lower() not in html
        assert 'name="data"' not in html
    assert world.procurement_x.email in pages[0].content.decode()
    # nothing can be changed or added
    response = client.post(f"{base}{totp.pk}/change/", {"user": operator.pk, "type": "totp",
                                                         "data": '{"secret": "AAAA"}'})
    assert response.status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    totp.refresh_from_db()
    assert totp.user_id == world.procurement_x.pk and totp.wrap().instance.data.get("secret") != "AAAA"
    # and the secret cannot be guessed through the changelist's filters
    for lookup in ("data__contains", "data__icontains", "data__secret__startswith", "data"):
        assert client.get(f"{base}?{lookup}={secrets[0][:1]}").status_code == 400, lookup


@pytest.mark.django_db
def test_a_staff_page_with_a_huge_query_string_sends_to_the_code_page_without_an_error(client, world):
    from tests.mfa import plain_force_login

    plain_force_login(client, world.procurement_x)
    response = client.get("/dashboard/?" + "q=" + "x" * 20000)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/reauthenticate/") and len(response.url) < 2100
