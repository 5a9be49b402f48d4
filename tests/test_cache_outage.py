"""With Redis away, the production cache (config.cache.FailOpenRedisCache) is a miss, and pages and sign-in work."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from config.settings import base
from tests.conftest import verified_email
from tests.factories import UserFactory

# Nothing listens on port 1: every connection is refused at once, as when Redis is down.
AWAY = {
    "default": {
        "BACKEND": "config.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}


@pytest.fixture
def redis_away(settings):
    settings.CACHES = AWAY
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
    yield
    settings.CACHES = django_settings.CACHES


def test_the_production_settings_use_the_fail_open_backend_for_redis(monkeypatch):
    import importlib

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "example.cn")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    monkeypatch.setenv("DJANGO_CACHE_URL", "redis://127.0.0.1:6379/3")
    reloaded = importlib.import_module("config.settings.production")
    reloaded = importlib.reload(reloaded)
    assert reloaded.CACHES["default"]["BACKEND"] == "config.cache.FailOpenRedisCache"
    assert reloaded.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True


@pytest.mark.django_db
def test_with_redis_away_the_cache_misses_and_a_lock_is_granted(redis_away):
    cache.set("k", "v")
    assert cache.get("k") is None
    assert cache.add("lock", True) is True


@pytest.mark.django_db
def test_with_redis_away_pages_answer_and_people_sign_in(redis_away, site, client):
    user = UserFactory(email="resident@example.cn")
    verified_email(user)
    assert client.get("/").status_code == 200
    assert client.get("/tenders/").status_code == 200
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct horse battery"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/dashboard/").status_code == 200
