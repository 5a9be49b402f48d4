"""Shared fixtures: a clean cache per test, the site tree, and a small world of offices, organisations and people."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

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
