"""The Celery application: reads CELERY_* settings and autodiscovers each app's tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("community_services")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
