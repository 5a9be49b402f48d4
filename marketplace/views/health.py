"""Health: /healthz reports the database, the broker, and the worker's and beat's last heartbeats.

It answers 503 when one is unreachable or stale (HEALTH_WORKER_STALE_AFTER, HEALTH_BEAT_STALE_AFTER), so a dead
worker or beat shows. No secrets, no details beyond ok/error/stale and ages in seconds.
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import heartbeat
from ..models import OutboxMessage


@never_cache
@require_GET
def healthz(request):
    from config.celery_app import app as celery_app

    checks, details = {}, {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        checks["database"] = "error"
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception:  # noqa: BLE001
        checks["broker"] = "error"
    if checks["database"] == "ok":
        try:
            ages = heartbeat.ages()
            limits = heartbeat.stale_after()
            for name, age in ages.items():
                checks[name] = "ok" if age is not None and age <= limits[name].total_seconds() else "stale"
                details[f"{name}_age_seconds"] = None if age is None else round(age)
            details["outbox_pending"] = OutboxMessage.objects.filter(done_at__isnull=True).count()
        except Exception:  # noqa: BLE001 - the database went away between the two queries
            checks["database"] = "error"
    for name in ("worker", "beat"):
        checks.setdefault(name, "unknown")
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks, **details},
                        status=200 if healthy else 503)
