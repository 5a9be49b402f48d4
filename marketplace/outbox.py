"""A transactional outbox: background tasks are rows written in the same transaction as the change that calls for
them, then relayed to the Celery broker (docs/decisions/0013-transactional-outbox.md).

- `enqueue(task, args=…, kwargs=…, eta=…)` replaces `transaction.on_commit(lambda: task.delay(…))`: the row commits
  or rolls back with the change, and right after commit the relay tries to send it (best effort: a broker outage
  never reaches the request).
- `relay()` runs every few seconds from beat (marketplace.tasks.outbox_relay) and sends every row that is due:
  new rows, rows whose send failed (retried with backoff) and rows sent a while ago that no worker has finished
  (the broker lost the message, or the worker died), again with a growing delay. Rows are leased under
  `select_for_update(skip_locked=True)` (SQLite's write lock serialises), so two relays never send the same row.
- A message from the outbox carries the task id `outbox-<row>-<n>`. The worker claims the row before running the
  task (config.celery_app.Task) and marks it done after, so a message sent twice runs once; `progress()` and
  `checkpoint()` let a task that does several things (one email per recipient) skip what a previous, interrupted
  run already did.
- A task with an eta (a tender's deadline) stays in the table until shortly before its time, so no broker or worker
  has to keep it for days.
"""

import datetime as dt
import logging
import re
import threading

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

TASK_ID = re.compile(r"^outbox-(\d+)-\d+$")
_current = threading.local()


def _setting(name: str, default):
    return getattr(settings, name, default)


def _seconds(name: str, default: float) -> dt.timedelta:
    return dt.timedelta(seconds=_setting(name, default))


def enqueue(task, *, args=(), kwargs=None, eta: dt.datetime | None = None) -> OutboxMessage:
    """Write the task to the outbox in the current transaction; it is sent to the broker once that commits.

    `task` is a Celery task or its name; `args` and `kwargs` must be JSON serialisable (ids and strings). A task
    with an `eta` runs at that time, not before.
    """
    now = timezone.now()
    due = now if eta is None else max(now, eta - _seconds("OUTBOX_ETA_LOOKAHEAD", 60))
    message = OutboxMessage.objects.create(task=task if isinstance(task, str) else task.name, args=list(args),
                                           kwargs=kwargs or {}, eta=eta, created_at=now, next_attempt_at=due)
    transaction.on_commit(lambda: relay_after_commit(message.pk))
    return message


def relay_after_commit(pk: int) -> None:
    """Send this row now if it is due. Never raises: the beat relay sends whatever this one could not."""
    try:
        relay(ids=[pk], publish_retry=False)
    except Exception:  # noqa: BLE001 - the change is committed; the beat relay picks the row up
        logger.warning("outbox: sending message %s after commit failed; the relay will retry", pk, exc_info=True)


def relay(*, ids=None, limit: int = 200, publish_retry: bool = False) -> int:
    """Send the due rows (or those of `ids` that are due) to the broker. Returns how many were sent."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(done_at__isnull=True, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    if not due.exists():  # a read first: on SQLite an empty relay never takes the write lock
        return 0
    with transaction.atomic():
        rows = list(due.select_for_update(skip_locked=True).order_by("next_attempt_at", "pk")[:limit])
        # The lease: another relay skips these rows until it runs out (if this one dies mid-way).
        OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
            next_attempt_at=now + _seconds("OUTBOX_RELAY_LEASE", 30))
    sent = 0
    for index, row in enumerate(rows):
        try:
            _publish(row, retry=publish_retry)
        except Exception as exc:  # noqa: BLE001 - broker unreachable: back off, keep the row
            attempts = row.attempts + 1
            retry_at = timezone.now() + dt.timedelta(
                seconds=min(2 ** attempts, _setting("OUTBOX_RETRY_MAX_SECONDS", 30)))
            OutboxMessage.objects.filter(pk=row.pk).update(attempts=attempts, last_error=repr(exc)[:1000],
                                                           next_attempt_at=retry_at)
            # The broker is down: the rest waits as long as this row, without counting a failure.
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows[index + 1:]]).update(next_attempt_at=retry_at)
            logger.warning("outbox: the broker refused %s (%s); retrying at %s", row, exc, retry_at)
            break
        sent_at = timezone.now()
        publishes = row.publishes + 1
        # If no worker has finished it by then (the broker lost it, a worker died), send it again, waiting
        # longer each time; the claim makes the extra copy harmless.
        redeliver = min(_setting("OUTBOX_REDELIVER_AFTER", 60) * 2 ** (publishes - 1), 3600)
        start = max(sent_at, row.eta) if row.eta else sent_at
        OutboxMessage.objects.filter(pk=row.pk).update(
            sent_at=sent_at, publishes=publishes, last_error="",
            next_attempt_at=start + dt.timedelta(seconds=redeliver))
        sent += 1
    return sent


def _publish(row: OutboxMessage, *, retry: bool) -> None:
    from celery import current_app

    eta = row.eta if row.eta and row.eta > timezone.now() else None
    current_app.send_task(row.task, args=row.args, kwargs=row.kwargs, eta=eta,
                          task_id=f"outbox-{row.pk}-{row.publishes + 1}", retry=retry)


def prune(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete rows done more than `older_than` ago."""
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=timezone.now() - older_than).delete()
    return deleted


# --- The worker's side ------------------------------------------------------------------------------------


def message_id(task_id: str | None) -> int | None:
    match = TASK_ID.match(task_id or "")
    return int(match.group(1)) if match else None


def run_claimed(pk: int, run, *, worker: str = ""):
    """Run `run()` for outbox row `pk` unless it is done or another worker holds it (then return None)."""
    now = timezone.now()
    lease = _seconds("OUTBOX_CLAIM_LEASE", _setting("CELERY_TASK_TIME_LIMIT", 300) + 30)
    claimed = (OutboxMessage.objects.filter(pk=pk, done_at__isnull=True)
               .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease))
               .update(claimed_at=now, claimed_by=worker[:200]))
    if not claimed:
        logger.info("outbox: message %s is done or running elsewhere; this copy is skipped", pk)
        return None
    _current.pk = pk
    try:
        result = run()
    except BaseException as exc:
        _release(pk, error=repr(exc)[:1000])
        raise
    finally:
        _current.pk = None
    OutboxMessage.objects.filter(pk=pk).update(done_at=timezone.now(), claimed_at=None, last_error="")
    return result


def _release(pk: int, *, error: str) -> None:
    try:
        OutboxMessage.objects.filter(pk=pk).update(claimed_at=None, claimed_by="", last_error=error)
    except DatabaseError:  # the database is what failed; the lease runs out instead
        logger.warning("outbox: could not release message %s", pk, exc_info=True)


def release_claims_of(worker: str) -> int:
    """A worker that starts holds no task yet: claims in its name are from a run that died (kill -9)."""
    if not worker:
        return 0
    return OutboxMessage.objects.filter(done_at__isnull=True, claimed_by=worker).update(claimed_at=None,
                                                                                       claimed_by="")


def progress() -> set[str]:
    """What the running outbox task already did in an earlier, interrupted run (keys given to `checkpoint`)."""
    pk = getattr(_current, "pk", None)
    if pk is None:
        return set()
    return set(OutboxMessage.objects.filter(pk=pk).values_list("progress", flat=True).first() or [])


def checkpoint(key: str) -> None:
    """Record that the running outbox task has done `key`, and renew its claim. Outside the outbox, nothing."""
    pk = getattr(_current, "pk", None)
    if pk is None:
        return
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().only("progress").get(pk=pk)
        OutboxMessage.objects.filter(pk=pk).update(progress=[*row.progress, key], claimed_at=timezone.now())
