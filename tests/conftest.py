"""Shared fixtures: a clean cache per test, the site tree, and a small world of offices, organisations and people.

The site and the world are built once per test process and shared (see `_SharedWorld`); each test still runs in
its own savepoint and gets its own copies of the objects, so what one test changes is gone for the next.
"""

import copy
import hashlib
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_django.fixtures
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.utils import translation
from pytest_django.plugin import validate_django_db

from catalogue.models import CatalogueIndexPage, ServiceCategoryPage, ServiceItemPage
from cms.services import site_setup
from marketplace import services as marketplace_services
from marketplace.models import OfficeStaff, Organisation, StreetOffice, User

from .factories import (
    DistrictFactory,
    MembershipFactory,
    OrganisationFactory,
    ServiceCategoryFactory,
    UserFactory,
)
from .mfa import _force_login_passes_second_factor  # noqa: F401  (force_login passes the second factor too)


def pytest_configure(config):
    """With --reuse-db (as `make test` runs): the SQLite test database lives in a file under var/test-db/ so that it
    outlasts the run, and a test database is created afresh when the migrations (or the locked dependencies, whose
    migrations count too) differ from those it was built with; each pytest-xdist worker checks its own database.
    Without --reuse-db nothing changes: SQLite tests run in memory, as concurrent runs in one working tree need."""
    if not config.getoption("reuse_db", False):
        return
    stamps = settings.BASE_DIR / "var" / "test-db"
    stamps.mkdir(parents=True, exist_ok=True)
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        database.setdefault("TEST", {})["NAME"] = str(stamps / "test.sqlite3")
    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        return  # the pytest-xdist controller runs no test: its workers look after their databases
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = database.get("TEST", {}).get("NAME") or f"{database.get('HOST')}:{database.get('PORT')}/test_{database['NAME']}"
    name += f"_{worker}" if worker else ""  # the suffix pytest-django gives each worker's database
    stamp = stamps / (hashlib.sha256(name.encode()).hexdigest()[:16] + ".migrations")
    fingerprint = _migrations_fingerprint()
    if not stamp.exists() or stamp.read_text() != fingerprint:
        config.option.create_db = True
        stamp.write_text(fingerprint)


def _migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for path in sorted([*base.glob("*/migrations/*.py"), base / "uv.lock"]):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Wagtail caches site data in Django's cache; a stale entry breaks the next test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread; `reverse` in the next test
    # would then build /en/ paths. Every test starts in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def site(db):
    if _shared.serving:
        return copy.deepcopy(_shared.site)
    return site_setup()


def make_service_item(*, category, title="居家养老上门服务", price_min="800.00", price_max="1500.00", **fields):
    catalogue = CatalogueIndexPage.objects.get()
    category_page = ServiceCategoryPage.objects.filter(category=category).first()
    if category_page is None:
        category_page = catalogue.add_child(
            instance=ServiceCategoryPage(title=category.name, slug=category.code, category=category)
        )
    item = ServiceItemPage(
        title=title,
        slug=f"item-{ServiceItemPage.objects.count() + 1}",
        description="<p>为辖区老人提供上门服务。</p>",
        service_standard="<p>每周上门两次。</p>",
        unit="人·年",
        price_min=Decimal(price_min),
        price_max=Decimal(price_max),
        indicators=[("indicator", {"name": "服务覆盖率", "target": "≥95%", "measurement": "核对服务记录"})],
        **fields,
    )
    category_page.add_child(instance=item)
    item.save_revision().publish()
    return item


def give_totp(user) -> str:
    """Activate an authenticator app for `user` through allauth's own API, as completing activation does.

    Street-office staff and platform operators must have one (marketplace.middleware.RequireTwoFactorMiddleware).
    Returns the secret, so a test can compute real codes with allauth's totp functions.
    """
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def verified_email(user) -> EmailAddress:
    """The verified, primary address allauth needs before it lets someone sign in or add an authenticator."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return address


@dataclass
class World:
    office_x: StreetOffice
    office_y: StreetOffice
    procurement_x: User
    evaluator_x: User
    head_x: User
    procurement_y: User
    member_a: User
    member_b: User
    operator: User
    org_a: Organisation
    org_b: Organisation
    category: object
    item: ServiceItemPage


@pytest.fixture
def world(site) -> World:
    if _shared.serving:
        return copy.deepcopy(_shared.world)  # fresh instances: nothing a previous test set on them carries over
    return build_world()


def build_world() -> World:
    operator = UserFactory(email="operator@example.cn", is_platform_operator=True)
    district = DistrictFactory()
    office_x = marketplace_services.office_create(actor=operator, district=district, name="长河街道办事处",
                                                  name_en="Changhe Sub-district Office")
    office_y = marketplace_services.office_create(actor=operator, district=district, name="西兴街道办事处",
                                                  name_en="Xixing Sub-district Office")
    people = {}
    for key, office, role in [
        ("procurement_x", office_x, OfficeStaff.Role.PROCUREMENT),
        ("evaluator_x", office_x, OfficeStaff.Role.EVALUATOR),
        ("head_x", office_x, OfficeStaff.Role.HEAD),
        ("procurement_y", office_y, OfficeStaff.Role.PROCUREMENT),
    ]:
        people[key] = UserFactory(email=f"{key}@example.cn")
        marketplace_services.office_staff_add(actor=operator, office=office, user=people[key], role=role)
    category = ServiceCategoryFactory(code="elderly-care", name="养老服务", name_en="Elderly care")
    org_a = OrganisationFactory(name="长河社会工作服务中心", categories=[category])
    org_b = OrganisationFactory(name="滨江阳光助老服务社", categories=[category])
    member_a = MembershipFactory(organisation=org_a, user__email="member_a@example.cn").user
    member_b = MembershipFactory(organisation=org_b, user__email="member_b@example.cn").user
    item = make_service_item(category=category)
    for user in [operator, *people.values(), member_a, member_b]:
        verified_email(user)
    for user in [operator, *people.values()]:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            give_totp(user)
    return World(office_x=office_x, office_y=office_y, operator=operator, member_a=member_a, member_b=member_b,
                 org_a=org_a, org_b=org_b, category=category, item=item, **people)


@pytest.fixture
def celery_worker():
    """A real Celery worker in this process, on the configured broker (memory on SQLite runs, Redis in CI).

    Messages left by earlier tests (queued on commit, never consumed) are purged first, so the worker runs only
    what this test sends. Use with `django_db(transaction=True)`: the worker's Django fix-up closes connections.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING") as worker:
        yield worker


# --- The world built once per test process -------------------------------------------------------------------


class _SharedWorld:
    """The site and the world, built once inside an outer transaction that stays open while tests that use them run.

    Each such test runs in pytest-django's usual atomic block, which is then a savepoint inside this transaction
    (as Django's TestCase does with setUpTestData), and gets deep copies of the objects (as Django's TestData
    does). A test that does not ask for `world`, or commits (`transaction=True`, live server, worker), must not
    see the shared rows: the transaction is rolled back before it, and built again for the next test that uses
    the world. pytest-django runs transactional tests last, so that happens about once per process.
    """

    def __init__(self):
        self.atomics = {}
        self.site = self.world = None
        self.serving = False  # the current test uses the shared copies

    @property
    def is_open(self) -> bool:
        return bool(self.atomics)

    def open(self) -> None:
        for alias in connections:
            atomic = transaction.atomic(using=alias)
            atomic._from_testcase = True  # as TestCase marks its own: durable blocks inside stay allowed
            atomic.__enter__()
            self.atomics[alias] = atomic
        try:
            with translation.override(settings.LANGUAGE_CODE):
                self.site = site_setup()
                self.world = build_world()
        except BaseException:
            self.close()  # a half-built world must not be served to the next test
            raise
        cache.clear()

    def close(self) -> None:
        for alias, atomic in reversed(self.atomics.items()):
            transaction.set_rollback(True, using=alias)
            atomic.__exit__(None, None, None)
        self.atomics = {}
        self.site = self.world = None
        cache.clear()


_shared = _SharedWorld()
# TESTS_SHARE_WORLD=0 builds the world for each test again, as before: to tell whether a failure comes from sharing.
SHARE_WORLD = os.environ.get("TESTS_SHARE_WORLD", "1") != "0"


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    transactional, reset_sequences, _dbs, serialized_rollback, _apps = (
        validate_django_db(marker) if marker else (False, False, None, False, None))
    names = set(request.fixturenames)
    return bool(transactional or reset_sequences or serialized_rollback
                or names & {"transactional_db", "live_server", "django_db_reset_sequences",
                            "django_db_serialized_rollback"})


@pytest.fixture(scope="session")
def _shared_world_session(django_db_setup, django_db_blocker):
    yield _shared
    if _shared.is_open:
        with django_db_blocker.unblock():
            _shared.close()


@pytest.fixture
def _shared_world_switch(request, _shared_world_session, django_db_blocker):
    """Open the shared world for a test that uses it in a rolled-back transaction; close it for any other."""
    wanted = ("world" in request.fixturenames and not _is_transactional(request) and SHARE_WORLD
              and request.node.get_closest_marker("own_world") is None)
    with django_db_blocker.unblock():
        if wanted and not _shared.is_open:
            _shared.open()
        elif not wanted and _shared.is_open:
            _shared.close()
    _shared.serving = wanted
    yield
    _shared.serving = False


assert hasattr(pytest_django.fixtures, "_django_db_helper"), "pytest-django renamed the fixture overridden below"


@pytest.fixture
def _django_db_helper(_shared_world_switch, _django_db_helper):
    """pytest-django's fixture behind `db`, `transactional_db` and the django_db mark, run after the switch above:
    the test's own atomic block must open inside the shared transaction, and a flush must never meet it."""
    yield


@pytest.fixture
def live_heartbeats(settings, db):
    """/healthz as it answers with a worker and beat running: both stamped, and fresh however far a test moves time."""
    from marketplace import heartbeat

    settings.HEALTH_WORKER_STALE_AFTER = settings.HEALTH_BEAT_STALE_AFTER = 10**9
    heartbeat.stamp("worker")
    heartbeat.stamp("beat")
