"""Waiting for work done elsewhere (a Celery worker in this process, a live server's thread) without sleeping blind.

- `wait_for(predicate)`: poll until something has happened; returns the predicate's value, or False on timeout.
- `drain_tasks()`: wait until the in-process worker (the `celery_worker` fixture) has run every task queued so far
  and every task those queued in turn. "Nothing more arrived" is then checked right away, with no sleep: a task
  that would have sent a second email has run by the time `drain_tasks` returns.
"""

import itertools
import threading
import time

from celery.signals import task_postrun

from config.celery_app import app

_finished = [0]  # tasks the in-process worker has finished (the worker is one thread: no lock needed)
_markers: dict[str, tuple[threading.Event, list[int]]] = {}
_tokens = itertools.count(1)


@task_postrun.connect(weak=False)
def _count_task(**_kwargs):
    _finished[0] += 1


@app.task(name="tests.waiting.marker", ignore_result=True)
def _marker(token: str) -> None:
    if token in _markers:
        event, finished_before = _markers[token]
        finished_before.append(_finished[0])
        event.set()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    """Call `predicate` until it returns something true; that value, or False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value or False
        time.sleep(interval)


def drain_tasks(timeout: float = 20.0) -> None:
    """Return once the worker is idle: a marker sent to the queue ran, and no other task ran while it waited.

    The worker is one consumer with a solo pool, so the queue is first in, first out: when the marker has run,
    so has everything queued before it. A task queued by those tasks lands behind the marker, so the round is
    repeated until one round sees the marker alone."""
    deadline = time.monotonic() + timeout
    while True:
        before = _finished[0]
        token = f"drain-{next(_tokens)}"
        event, seen = _markers[token] = (threading.Event(), [])
        try:
            _marker.delay(token)
            if not event.wait(max(0.0, deadline - time.monotonic())):
                raise AssertionError(f"the worker did not drain its queue within {timeout}s")
        finally:
            _markers.pop(token, None)
        if seen[0] == before:  # no other task finished between sending the marker and running it
            return
