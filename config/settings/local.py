"""The embedded default: SQLite, the Celery filesystem broker, console email. No server needed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-only-insecure-key-change-me")  # noqa: S105
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
DEMO_DATA_ALLOWED = True  # manage.py demo_data (never in production: base.py)
