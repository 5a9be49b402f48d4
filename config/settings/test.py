"""Test settings. DATABASE_URL and CELERY_BROKER_URL choose SQLite or PostgreSQL, memory or Redis."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
# The in-memory broker is polled: every 0.1 s instead of 1 s, so a worker picks up and stops sooner. On Redis each
# pytest-xdist worker (PYTEST_XDIST_WORKER=gw0, gw1…) gets its own keys, so purging or consuming never touches
# another worker's messages.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"global_keyprefix": f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}:"}
    if CELERY_BROKER_URL.startswith("redis") else {"polling_interval": 0.1}
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Uploaded test files go to a fresh folder per run, never into var/private.
STORAGES["private"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": tempfile.mkdtemp(prefix="test-private-")},
}
ACCOUNT_RATE_LIMITS = False
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
DEMO_DATA_ALLOWED = True  # manage.py demo_data (never in production: base.py)
# Tests move the clock to one second past a deadline and expect the close; the grace has tests of its own
# (tests/bids/test_deadline_grace.py) that set it. Overridable for a live server: see test_deadline_rush.py.
TENDER_CLOSE_GRACE_SECONDS = env.int("TENDER_CLOSE_GRACE_SECONDS", default=0)
