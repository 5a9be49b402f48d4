"""Production refuses to start without its secrets; with them, Django's deploy checks pass."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SETUP = "import django; django.setup(); print('started')"


def _run(env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env_overrides})
    return subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_production_without_secret_key_does_not_start():
    result = _run({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_without_database_url_does_not_start():
    result = _run({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "example.cn"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_starts_with_its_secrets():
    result = _run({
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.cn",
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    })
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
