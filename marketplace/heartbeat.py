"""Heartbeats of the background processes, read by /healthz.

- beat: `BeatScheduler` (django-celery-beat's DatabaseScheduler, plus a stamp every few seconds from its loop).
- worker: `marketplace.tasks.worker_heartbeat`, sent by beat and run by a worker, so its stamp proves that a worker
  takes tasks from the broker.
Stamps go to the database (the one store every process shares; a per-process cache would not do).
"""

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from .models import Heartbeat

logger = logging.getLogger(__name__)


def stamp(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def ages() -> dict[str, float | None]:
    """Seconds since each process's last heartbeat (None: never)."""
    now = timezone.now()
    seen = dict(Heartbeat.objects.values_list("name", "at"))
    return {name: (now - seen[name]).total_seconds() if name in seen else None for name in ("worker", "beat")}


def stale_after() -> dict[str, dt.timedelta]:
    return {"worker": dt.timedelta(seconds=settings.HEALTH_WORKER_STALE_AFTER),
            "beat": dt.timedelta(seconds=settings.HEALTH_BEAT_STALE_AFTER)}


class BeatScheduler(DatabaseScheduler):
    """The database scheduler, stamping beat's heartbeat from its loop and riding out a database outage."""

    def __init__(self, *args, **kwargs):
        self._stamped = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        interval = settings.HEALTH_BEAT_INTERVAL
        if time.monotonic() - self._stamped >= interval:
            try:
                if not connection.in_atomic_block:  # never inside a caller's transaction (a test's)
                    connection.close_if_unusable_or_obsolete()
                stamp("beat")
                self._stamped = time.monotonic()
            except DatabaseError:
                logger.warning("beat: cannot record its heartbeat (database unreachable)")
                connection.close()
        try:
            delay = super().tick(*args, **kwargs)
        except DatabaseError:
            logger.warning("beat: database unreachable; trying again shortly", exc_info=True)
            connection.close()
            return interval
        return min(delay, interval)
