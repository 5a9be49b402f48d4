"""/healthz reports the database, the broker and the worker's and beat's heartbeats, with no secrets, and fails
(503) when one is unreachable or stale."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from config.celery_app import app as celery_app
from marketplace.heartbeat import BeatScheduler
from marketplace.tasks import worker_heartbeat


def _beats():
    """What the real processes do: beat's scheduler loop ticks, a worker runs the heartbeat task."""
    scheduler = BeatScheduler(app=celery_app)
    scheduler.tick()
    worker_heartbeat.apply().get()


@pytest.mark.django_db(transaction=True)  # beat closes old connections, as in its process
def test_healthz_ok_with_fresh_heartbeats(client):
    _beats()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "broker", "worker", "beat")} == {
        "status": "ok", "database": "ok", "broker": "ok", "worker": "ok", "beat": "ok"}
    assert body["worker_age_seconds"] < 60 and body["beat_age_seconds"] < 60


@pytest.mark.django_db(transaction=True)  # beat closes old connections, as in its process
def test_healthz_fails_without_any_heartbeat(client):
    body = client.get("/healthz").json()
    assert (body["status"], body["worker"], body["beat"]) == ("error", "stale", "stale")


@pytest.mark.django_db(transaction=True)  # beat closes old connections, as in its process
def test_healthz_fails_when_the_worker_stops(client, settings):
    _beats()
    settings.HEALTH_WORKER_STALE_AFTER = 120
    settings.HEALTH_BEAT_STALE_AFTER = 600
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=300)):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["worker"], body["beat"], body["database"]) == ("stale", "ok", "ok")
    assert body["worker_age_seconds"] >= 300


@pytest.mark.django_db(transaction=True)  # beat closes old connections, as in its process
def test_healthz_reports_an_unreachable_broker(client, settings):
    _beats()
    # A real connection attempt to a port where nothing listens.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert "127.0.0.1" not in response.content.decode()
