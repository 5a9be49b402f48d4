"""Headers on every page: the Content-Security-Policy, and `Cache-Control: private, no-store` on private ones.

The crawl reuses the permission matrix's URL enumeration (every URL pattern, every role, GET and POST) plus
the pages the matrix skips (CMS pages, sign-in, both admins, a 404). Every response carries the policy; every
response to a signed-in user, and every anonymous one that leads to signing in, is private and no-store. The
rendered HTML has no inline script, event handler or inline style (the policy would block them), and no project
template has one either.
"""

import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogue.models import PurchaseListPage
from marketplace.models import User
from tests.test_permission_matrix import MONDAY, ROLES, _rows, build_context

ROOT = Path(__file__).resolve().parent.parent
WAGTAIL_ADMIN = "/admin/"
JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}

EXTRA_PAGES = ("/", "/en/", "/catalogue/", "/en/tenders/", "/tenders/feed/", "/accounts/login/",
               "/accounts/signup/", "/accounts/password/reset/", "/en/accounts/login/", "/no-such-page/",
               "/dashboard/", "/en/dashboard/", "/accounts/2fa/", "/admin/", "/django-admin/")


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


def policy_problems(path: str, response) -> list[str]:
    csp = policy(response)
    if not csp:
        return ["no Content-Security-Policy"]
    problems = []
    admin_area = path.startswith(WAGTAIL_ADMIN)
    expected = {"default-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"],
                "frame-ancestors": ["'self'"] if admin_area else ["'none'"]}
    for name, values in expected.items():
        if csp.get(name) != values:
            problems.append(f"{name} is {csp.get(name)}")
    if "'self'" not in csp.get("form-action", []) or "*" in csp.get("form-action", []):
        problems.append(f"form-action is {csp.get('form-action')}")
    scripts = csp.get("script-src", [])
    if "'unsafe-eval'" in scripts or "*" in scripts or any(v.startswith(("http:", "https:")) for v in scripts):
        problems.append(f"script-src is {scripts}")
    if not admin_area and scripts != ["'self'"]:
        problems.append(f"script-src is {scripts} outside the Wagtail admin")
    if not admin_area and csp.get("style-src") != ["'self'"]:
        problems.append(f"style-src is {csp.get('style-src')} outside the Wagtail admin")
    return problems


class _InlineFinder(HTMLParser):
    """Inline scripts, on* handlers, javascript: URLs and inline styles in a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and (names.get("type") or "").lower() not in JSON_SCRIPT_TYPES:
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f"style= on <{tag}> at line {self.getpos()[0]}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


def header_problems(role: str, label: str, path: str, response, *, anonymous_private: bool) -> list[str]:
    where = f"{label:45} {role:14} {path} ({response.status_code})"
    problems = [f"{where}: {p}" for p in policy_problems(path, response)]
    cache = {p.strip() for p in response.get("Cache-Control", "").split(",")}
    if (role != "anonymous" or anonymous_private) and not {"private", "no-store"} <= cache:
        problems.append(f"{where}: Cache-Control is {response.get('Cache-Control')!r}")
    if "public" in cache and (role != "anonymous" or anonymous_private):
        problems.append(f"{where}: Cache-Control is public")
    if response.get("Content-Type", "").startswith("text/html") and not path.startswith(WAGTAIL_ADMIN):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        problems += [f"{where}: {p}" for p in inline_code(body.decode("utf-8", "replace"))]
    return problems


def _leads_to_sign_in(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


# --- The crawl ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_crawl_has_the_policy_and_private_ones_are_no_store(client, world, role):
    with time_machine.travel(MONDAY, tick=True):
        ctx = build_context(world)
        if role != "anonymous":
            client.force_login(getattr(world, role))
        problems, seen = [], 0
        for label, row in _rows():
            url = row.url(ctx) if callable(row.url) else row.url
            data = row.data(ctx) if callable(row.data) else row.data
            response = getattr(client, row.method)(url, data)
            # An anonymous visitor sent to sign in asked for something private (a receipt, a file, a dashboard).
            private = _leads_to_sign_in(response) or url.split("?")[0].lstrip("/").startswith(
                ("dashboard/", "en/dashboard/", "accounts/", "en/accounts/"))
            problems += header_problems(role, label, url, response, anonymous_private=private)
            seen += 1
        for path in EXTRA_PAGES:
            response = client.get(path)
            private = _leads_to_sign_in(response) or path.lstrip("/").startswith(
                ("accounts/", "en/accounts/", "dashboard/", "en/dashboard/", "admin/", "django-admin/"))
            problems += header_problems(role, "extra page", path, response, anonymous_private=private)
            seen += 1
    assert seen > 80
    assert not problems, "\n" + "\n".join(problems)


@pytest.mark.django_db
def test_anonymous_public_pages_are_not_forced_out_of_caches(client, world):
    """The rule is about private responses: the public tender list is not made no-store for visitors."""
    response = client.get("/tenders/")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")
    client.force_login(world.member_a)
    assert "no-store" in client.get("/tenders/")["Cache-Control"]


@pytest.mark.django_db
def test_both_admins_render_under_the_policy(client, world):
    """The Django admin passes the strict policy; the Wagtail admin gets its exemption, and only under /admin/."""
    operator = User.objects.create_superuser(email="root@example.cn", password="x-long-pass-2026")  # noqa: S106
    client.force_login(operator)
    assert reverse("wagtailadmin_home") == WAGTAIL_ADMIN
    problems = []
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages += [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]
    beat_admin = "/django-admin/django_celery_beat/"  # its crontab widget is an inline script: exempt like Wagtail's
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 302, 403), (path, response.status_code)
        if path.startswith(beat_admin):
            assert "'unsafe-inline'" in policy(response)["script-src"], path
            continue
        problems += header_problems("superuser", "django admin", path, response, anonymous_private=True)
    purchase_list = PurchaseListPage.objects.first()
    wagtail_pages = [WAGTAIL_ADMIN, "/admin/pages/", "/admin/users/"]
    if purchase_list:
        wagtail_pages.append(f"/admin/pages/{purchase_list.pk}/edit/")
    for path in wagtail_pages:
        response = client.get(path)
        problems += header_problems("superuser", "wagtail admin", path, response, anonymous_private=True)
        assert "'unsafe-inline'" in policy(response)["script-src"], path
    assert len(pages) > 5
    assert not problems, "\n" + "\n".join(problems)


# --- The templates --------------------------------------------------------------------------------------------


def project_templates() -> list[Path]:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.html"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / f for f in files if (ROOT / f).exists() and not f.startswith((".venv/", "bench/"))]


def _served_as_html(path: Path) -> bool:
    """PDF templates are rendered by WeasyPrint (never served as a page); their inline CSS is theirs."""
    return "pdf" not in path.relative_to(ROOT).parts


def test_no_project_template_has_an_inline_script_or_handler():
    templates = project_templates()
    assert len(templates) > 30
    problems = []
    handler = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
    for path in templates:
        source = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        # Template tags may hide a tag's attributes from an HTML parser: grep the source too.
        if handler.search(source):
            problems.append(f"{rel}: an on* event handler")
        if re.search(r"javascript:", source, re.IGNORECASE):
            problems.append(f"{rel}: a javascript: URL")
        for found in inline_code(re.sub(r"{%.*?%}|{{.*?}}", "T", source, flags=re.DOTALL)):
            if found.startswith(("inline <script>", "on", "javascript")) or _served_as_html(path):
                problems.append(f"{rel}: {found}")
    assert not problems, "\n" + "\n".join(problems)


def test_the_inline_finder_finds_what_it_looks_for():
    found = inline_code('<p onclick="x()">a</p><script>alert(1)</script><script src="/static/a.js"></script>'
                        '<script type="application/json">{}</script><a href="javascript:x()">b</a>'
                        '<div style="color:red"></div><style>p{}</style>')
    assert [f.split(" at ")[0] for f in found] == [
        "onclick= on <p>", "inline <script>", "javascript: URL on <a>", "style= on <div>", "<style>"]


# --- demo_data and the settings ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_data_is_refused_where_the_settings_do_not_allow_it(settings):
    settings.DEMO_DATA_ALLOWED = False
    users = User.objects.count()
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("demo_data", stdout=io.StringIO())
    assert User.objects.count() == users and not User.objects.filter(email="admin@demo.cn").exists()


def test_demo_data_is_refused_under_the_production_settings(tmp_path):
    database = tmp_path / "production.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DJANGO_SECRET_KEY": "production-like-" + "k" * 50, "DJANGO_ALLOWED_HOSTS": "example.cn",
           "DATABASE_URL": f"sqlite:///{database}", "CELERY_BROKER_URL": "memory://"}
    result = subprocess.run([sys.executable, "manage.py", "demo_data"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CommandError" in result.stderr and "DEMO_DATA_ALLOWED" in result.stderr
    assert "demo-pass-2026" not in result.stdout
    assert not database.exists()  # refused before the first query: no account, no table, no file


def test_only_the_local_and_test_settings_allow_demo_data():
    """`make run` (config.settings.local) and the suite (config.settings.test) load demo data; production not."""
    code = ("import importlib, sys; print(*[importlib.import_module(f'config.settings.{name}').DEMO_DATA_ALLOWED "
            "for name in sys.argv[1:]])")
    env = {**os.environ, "DJANGO_SECRET_KEY": "k" * 50, "DJANGO_ALLOWED_HOSTS": "example.cn",
           "DATABASE_URL": "sqlite:////nonexistent/x.sqlite3", "CELERY_BROKER_URL": "memory://"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-c", code, "local", "test", "production"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split() == ["True", "True", "False"]
