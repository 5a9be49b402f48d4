"""Hostile input on every page, as every role: never a 500, and a form re-rendered on error keeps what was typed.

The URL patterns come from the resolver (the permission matrix's walk and its rows, which give each of the project's
patterns a real URL in a world with a tender, bids, a contract and a purchase list). For every role the walk:

1. GETs each page with hostile query strings: the names of the page's GET forms (filters, searches), the names its
   view reads, and `page`/`q`;
2. POSTs hostile values to every form the role's pages show (field names and types read from the rendered HTML) and
   to every POST pattern of the matrix (with the names its view's module reads), in rounds: everything hostile, then
   only the typed fields hostile while hidden and chosen values stay as the page gave them, so the request reaches
   the service; then values hypothesis draws (derandomised, so CI is deterministic);
3. requests every pattern with ids that do not fit (30 digits, 2**63) in its path.

Operators also get the Django admin (every changelist with hostile query strings, change views with odd ids) and the
Wagtail admin's edit forms of one page of each project page type and of the site settings.

Each request runs in a savepoint that is rolled back, so one hostile POST that succeeds does not change the world
the next one sees (and, on PostgreSQL, an error cannot poison the test's transaction).
"""

import datetime as dt
import inspect
import re
import sys
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Page

from tests.bids.test_sealing_walk import params_of, substitute

try:  # staff sessions that passed the second factor, as allauth leaves them
    from tests.mfa import mfa_login as login
except ImportError:  # pragma: no cover - before the second factor was enforced per session
    login = Client.force_login
from tests.test_permission_matrix import MONDAY, ROWS, SKIPPED_PREFIXES, _walk, build_context

pytestmark = pytest.mark.django_db

# An organisation's admin, each office role, an operator and the public (a second organisation adds nothing here).
ROLES = ("anonymous", "member_a", "procurement_x", "evaluator_x", "head_x", "operator")

HOSTILE_IDS = ("abc", "9" * 30, "9223372036854775808", "-1", "1.5", "1e3", "0x1F", "１２", "\x00", "")
HOSTILE_TEXT = ("\x00", "标题\x0c换页", "a\x1b[31mb\x07", "长" * 10_000, "\u202eevil", "e\u0301" * 50, "👍🏽" * 30,
                "<script>alert(1)</script>", "%00'--", "\ufeff \u2028")
HOSTILE_DATES = ("2026-02-30", "99999-01-01", "0000-00-00", "2026-13-45", "-1", "1e9", "2026-03-02T99:99")
HOSTILE_NUMBERS = ("1e999999", "-1e999999", "NaN", "Infinity", "9" * 40, "1e-999999", "0.00000000000000001", "-0",
                   "1,000")
PATH_IDS = ("9" * 30, "9223372036854775808", "9223372036854775807")
ROUNDS = 3
GENERATED = 2  # hypothesis examples per form and role, on top of the explicit rounds

POOLS = {"id": HOSTILE_IDS, "text": HOSTILE_TEXT, "date": HOSTILE_DATES, "number": HOSTILE_NUMBERS}
ALL_HOSTILE = HOSTILE_IDS + HOSTILE_TEXT + HOSTILE_DATES + HOSTILE_NUMBERS
TEXT_TYPES = {"text", "textarea", "search", "email", "url", "tel"}
KIND_OF_TYPE = {"hidden": "id", "select": "id", "radio": "id", "checkbox": "id", "number": "number", "date": "date",
                "datetime-local": "date", "month": "date", "time": "date"}
SKIPPED_TYPES = {"file", "submit", "button", "image", "reset", "password"}
SKIPPED_NAMES = {"csrfmiddlewaretoken"}


# --- Reading forms from HTML -----------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """The forms of a page: method, action and fields (name, type, value as rendered)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._textarea, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and a["name"] in self._form["fields"] and "checked" not in a:
                return
            self._form["fields"][a["name"]] = (kind, a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ("textarea", "")
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"][a["name"]] = ("select", "")
        elif tag == "option" and self._select:
            kind, value = self._form["fields"][self._select]
            if not value or "selected" in a:
                self._form["fields"][self._select] = (kind, a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            kind, value = self._form["fields"][self._textarea]
            self._form["fields"][self._textarea] = (kind, value + data)


def forms_of(response, page_path: str) -> list[dict]:
    if "html" not in response.get("Content-Type", "") or response.streaming:
        return []
    parser = FormParser()
    parser.feed(response.content.decode("utf-8", errors="replace"))
    for form in parser.forms:
        action = urlsplit(form["action"])
        form["action"] = action.path if action.path else page_path.partition("?")[0]
    return parser.forms


# --- Names a view reads without a form ---------------------------------------------------------------------------

READ = re.compile(r"""(?:POST|GET|post|data|query)\s*(?:\.get(?:list)?\(|\[|,)\s*["'](\w+)["']""")
READ_IN = re.compile(r"""["'](\w+)["']\s+(?:not\s+)?in\s+(?:request\.)?(?:POST|GET|post)""")


def names_read_by(callback, *, whole_module: bool = True) -> set[str]:
    """Parameter names the view (or its whole module, helpers included) reads from the request itself."""
    target = inspect.unwrap(getattr(callback, "view_class", None) or callback)
    module = sys.modules.get(getattr(target, "__module__", ""))
    if module is None or module.__name__.split(".")[0] not in ("marketplace", "bids", "contracts", "ratings",
                                                                 "catalogue", "cms"):
        return set()
    try:
        source = inspect.getsource(module if whole_module else target)
    except (OSError, TypeError):
        return set()
    return set(READ.findall(source)) | set(READ_IN.findall(source))


# --- Requests -------------------------------------------------------------------------------------------------


class Walker:
    def __init__(self, users: dict):
        self.client = Client(raise_request_exception=False)
        self.users = users
        self.errors: list[str] = []
        self.lost: list[str] = []
        self.count = 0

    def login(self, role):
        self.client.logout()
        if self.users[role] is not None:
            login(self.client, self.users[role])

    def request(self, role, method, path, data=None):
        """One request in a savepoint that is rolled back. Records a 500 (or any 5xx) and returns the response."""
        self.count += 1
        with transaction.atomic():
            if method == "get":
                response = self.client.get(path, data or {})
            else:
                response = self.client.post(path, data or {})
            transaction.set_rollback(True)
        if response.status_code >= 500 and not (response.status_code == 503 and path == "/healthz"):
            shown = {k: (v[:40] + f"…({len(v)})" if len(v) > 40 else v) for k, v in (data or {}).items()}
            self.errors.append(f"{role:14} {method.upper():4} {path} {shown!r}: {response.status_code}")
        return response

    def post_checked(self, role, path, data, text_fields):
        """POST, and when the answer re-renders a form with a text field we filled, the typed value must be in it."""
        response = self.request(role, "post", path, data)
        if response.status_code in (200, 400) and not response.streaming and "html" in response.get(
                "Content-Type", ""):
            body = response.content.decode("utf-8", errors="replace")
            for name in text_fields:
                value = data.get(name, "")
                if value.strip() and f'name="{name}"' in body and escape(value) not in body:
                    self.lost.append(f"{role:14} POST {path}: the typed value of {name!r} is not shown again "
                                     f"({value[:30]!r}…)")
        return response


def kind_of(field_type: str | None) -> str | None:
    if field_type is None:
        return None
    return KIND_OF_TYPE.get(field_type, "text" if field_type in TEXT_TYPES else "id")


def hostile_rounds(fields: dict[str, tuple[str, str]], extra_names: set[str]):
    """Payloads: everything hostile, then only the typed fields hostile (hidden and chosen values as rendered)."""
    names = [n for n, (t, _v) in fields.items() if t not in SKIPPED_TYPES and n not in SKIPPED_NAMES]
    names += sorted(extra_names - set(fields) - SKIPPED_NAMES)
    typed_names = [n for n in names if kind_of(fields.get(n, (None, ""))[0]) in ("text", "date", "number")]
    for i in range(ROUNDS):
        everything, typed = {}, {}
        for j, name in enumerate(names):
            field_type = fields.get(name, (None, ""))[0]
            kind = kind_of(field_type)
            pool = POOLS[kind] if kind else ALL_HOSTILE
            everything[name] = pool[(i + j) % len(pool)]
            if kind in ("text", "date", "number"):
                typed[name] = pool[(i + j) % len(pool)]
            else:
                typed[name] = fields.get(name, (None, ""))[1] if name in fields else ""
        yield everything
        if typed_names:
            yield typed


def text_fields_of(fields) -> list[str]:
    return [n for n, (t, _v) in fields.items() if t in TEXT_TYPES or t == "textarea"]


def generated_posts(walker, role, path, fields, extra_names):
    """Hypothesis's own values for a random subset of the fields, the others as the page rendered them."""
    names = sorted({n for n, (t, _v) in fields.items() if t not in SKIPPED_TYPES} | extra_names - SKIPPED_NAMES)
    if not names:
        return
    value = st.one_of(st.sampled_from(ALL_HOSTILE), st.text(st.characters(codec="utf-8"), max_size=40),
                      st.integers().map(str))

    @settings(derandomize=True, max_examples=GENERATED, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(names), value, min_size=1))
    def post(hostile):
        data = {n: v for n, (t, v) in fields.items() if t not in SKIPPED_TYPES} | hostile
        data.pop("csrfmiddlewaretoken", None)
        walker.post_checked(role, path, data, text_fields_of(fields))

    post()


# --- The targets --------------------------------------------------------------------------------------------


def matrix_targets(ctx) -> list[tuple[str, str, str, dict]]:
    """(name, method, path, expected status by role) for every row of the permission matrix."""
    targets = []
    for name, row in ROWS.items():
        for sub in (row.values() if isinstance(row, dict) else [row]):
            url = sub.url(ctx) if callable(sub.url) else sub.url
            targets.append((name, sub.method, url, sub.expected))
    return targets


def reaches(expected: dict, role: str) -> bool:
    """Whether the matrix lets `role` through to the view's work (not 'not yours', not 'sign in first')."""
    status = expected.get(role, 404)
    return status not in (403, 404) and not (role == "anonymous" and status == 302)


def family_reaches(name: str, role: str) -> bool:
    """For one-POST-per-action patterns: the role reaches some action of the pattern. Its other actions answer 404
    in the matrix only because the matrix names no object (a bid, a milestone) for them; the walk names hostile
    ones."""
    row = ROWS[name]
    return any(reaches(sub.expected, role) for sub in (row.values() if isinstance(row, dict) else [row]))


def hostile_path_targets(patterns) -> list[tuple[str, str]]:
    """Every project pattern with ids that do not fit a 64-bit integer (and the largest that does) in its path."""
    paths = []
    for route, name, _pattern in _walk(get_resolver().url_patterns):
        if name not in patterns:
            continue
        names = params_of(route)
        if not names:
            continue
        for bad in PATH_IDS:
            values = dict.fromkeys(names, bad)
            if "action" in names:
                values["action"] = re.search(r"\(\?P<action>([^)|]*)", route).group(1)
            paths.append((name, substitute(route, values)))
    return paths


def admin_targets() -> list[str]:
    """The Django admin's changelists."""
    return [f"/django-admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry]


def admin_odd_ids() -> list[str]:
    model = next(iter(admin.site._registry))
    base = f"/django-admin/{model._meta.app_label}/{model._meta.model_name}/"
    return [f"{base}{bad}/change/" for bad in ("abc", "9" * 30, "-1", "%00")]


def wagtail_edit_targets() -> list[str]:
    """The Wagtail admin's edit form of one page of each of the project's page types, and the site settings."""
    seen, paths = set(), []
    for page in Page.objects.filter(depth__gt=1).specific().order_by("path"):
        if type(page).__module__.split(".")[0] in ("cms", "catalogue") and type(page) not in seen:
            seen.add(type(page))
            paths.append(f"/admin/pages/{page.pk}/edit/")
    return paths


# --- The walk -------------------------------------------------------------------------------------------------


def query_fuzz(walker, role, path, names, rounds=ROUNDS):
    for i in range(rounds):
        query = {name: ALL_HOSTILE[(i * 7 + j) % len(ALL_HOSTILE)] for j, name in enumerate(sorted(names))}
        walker.request(role, "get", path.partition("?")[0] + "?" + urlencode(query))


def run_walk(world, ctx, roles=ROLES, *, only=None) -> Walker:
    """The walk, for `roles`; `only` limits it to the matrix rows whose name it accepts."""
    world.operator.is_staff = world.operator.is_superuser = True
    world.operator.save(update_fields=["is_staff", "is_superuser"])
    users = {role: (None if role == "anonymous" else getattr(world, role)) for role in ROLES}
    walker = Walker(users)
    patterns = {name for route, name, _p in _walk(get_resolver().url_patterns)
                if name and not route.startswith(tuple(SKIPPED_PREFIXES))}
    resolver = get_resolver()
    matrix = [t for t in matrix_targets(ctx) if only is None or only(t[0])]
    query_done, posted_elsewhere, fetched_once = set(), set(), set()
    for role in roles:
        walker.login(role)
        pages = [path for name, method, path, expected in matrix if method == "get" and reaches(expected, role)
                 and name != "healthz" and not (path.endswith(".pdf") and path in fetched_once)]
        fetched_once.update(path for path in pages if path.endswith(".pdf"))  # a PDF reads no input: once
        if role == "operator" and only is None:
            pages += admin_targets() + wagtail_edit_targets()
        forms: dict[str, dict] = defaultdict(dict)
        for path in pages:
            response = walker.request(role, "get", path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            names = set()
            for form in forms_of(response, path):
                if form["method"] == "post":
                    forms[form["action"]].update(form["fields"])
                else:
                    names |= {n for n, (t, _v) in form["fields"].items() if t not in SKIPPED_TYPES}
            if path.startswith("/django-admin/"):
                names |= {"q", "p", "o", "e", "id__exact", "all", "_to_field", "_popup"}
            elif not path.startswith("/admin/"):
                names |= names_read_by(resolver.resolve(path.partition("?")[0]).func, whole_module=False)
            # 1. Query strings, where the page reads any (once per page: what a query string does is no role's).
            if names and path not in query_done:
                query_done.add(path)
                query_fuzz(walker, role, path, names, rounds=3 if path.startswith("/django-admin/") else ROUNDS)
        # 2. Forms the pages showed, and the matrix's POST patterns that let this role through.
        for name, method, path, _expected in matrix:
            if method == "post" and family_reaches(name, role):
                forms.setdefault(path, {})
        for action, fields in forms.items():
            if action.startswith("/admin/"):  # Wagtail's edit forms are heavy: their typed fields, a few rounds
                for data in list(hostile_rounds(fields, set()))[1:8:2]:
                    walker.post_checked(role, action, data, text_fields_of(fields))
                continue
            try:
                match = resolver.resolve(action)
            except Exception:  # noqa: BLE001, S112 - a form that posts off-site or to an unknown path
                continue
            if match.url_name in ("set_language", "account_logout"):  # on every page: once is enough
                if action in posted_elsewhere:
                    continue
                posted_elsewhere.add(action)
            extra = names_read_by(match.func)
            for data in hostile_rounds(fields, extra):
                walker.post_checked(role, action, data, text_fields_of(fields))
            generated_posts(walker, role, action, fields, extra)
    # 3. Ids that do not fit, in every pattern's path (by a role the matrix lets through, else anonymously).
    by_name = {name: (method, expected) for name, method, _p, expected in matrix}
    for name, path in hostile_path_targets(patterns):
        if name not in by_name:
            continue
        method, expected = by_name[name]
        role = next((r for r in roles if reaches(expected, r)), roles[0])
        walker.login(role)
        walker.request(role, method, path)
    if "operator" in roles and only is None:
        walker.login("operator")
        for path in admin_odd_ids():
            walker.request("operator", "get", path)
    return walker


def test_no_500_and_no_lost_input_for_hostile_values_on_every_page(world):
    with time_machine.travel(MONDAY, tick=False):
        ctx = build_context(world)
        walker = run_walk(world, ctx)
    assert walker.count > 1000, walker.count  # the walk really went everywhere
    assert not walker.errors, f"{len(walker.errors)} server errors in {walker.count} requests:\n" + "\n".join(
        walker.errors)
    assert not walker.lost, "\n".join(walker.lost)


def test_after_the_deadline_too(world):
    """The same walk once the bids are opened: the office's evaluation forms are then on its pages."""
    from bids import services as bid_services
    from bids import tasks as bid_tasks
    from tests.test_permission_matrix import DEADLINE

    with time_machine.travel(MONDAY, tick=False) as clock:
        ctx = build_context(world)
        clock.move_to(DEADLINE + dt.timedelta(seconds=1))
        bid_tasks.tenders_close_due()
        bid_services.panel_add(actor=world.procurement_x, tender_id=ctx.tender.pk, evaluator=world.evaluator_x)
        bid_services.panel_declare(actor=world.evaluator_x, tender_id=ctx.tender.pk)
        walker = run_walk(world, ctx, ("member_a", "procurement_x", "evaluator_x", "head_x"),
                          only=lambda name: name.startswith("bids:"))
    assert not walker.errors, f"{len(walker.errors)} server errors in {walker.count} requests:\n" + "\n".join(
        walker.errors)
    assert not walker.lost, "\n".join(walker.lost)
