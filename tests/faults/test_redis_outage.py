"""A Redis outage delays tasks and never loses or repeats them (the transactional outbox), and the worker
reconnects by itself. A redis-server of the test's own is killed (SIGKILL, no persistence) and started again."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from kombu import pools

from config.celery_app import app
from marketplace import outbox
from marketplace.models import Membership, OutboxMessage
from tests.waiting import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker(redis_server, settings):
    """Point the Celery app (producer pools included) at the test's own Redis; fast retries for the test."""
    previous = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url, app.conf.broker_transport_options = redis_server.url, {"socket_connect_timeout": 1}
    _fresh_pools()
    settings.CELERY_BROKER_URL = redis_server.url
    settings.OUTBOX_RETRY_MAX_SECONDS = 1
    settings.OUTBOX_REDELIVER_AFTER = 1
    yield redis_server
    _fresh_pools()
    app.conf.broker_url, app.conf.broker_transport_options = previous


def _fresh_pools():
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def _worker():
    return start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10)


def _invite(client, world, email):
    client.force_login(world.member_a)
    return client.post(reverse("marketplace:member_invite", args=[world.org_a.pk]),
                       {"email": email, "role": Membership.Role.MEMBER})


def _relay_until(predicate, timeout=30.0):
    """What beat's outbox_relay task does every few seconds."""
    return wait_for(lambda: outbox.relay() >= 0 and predicate(), timeout=timeout)


def test_a_change_made_while_redis_is_down_answers_normally_and_its_email_goes_out_once_after(
        client, world, broker):
    with _worker():
        broker.kill()
        # the state change commits, the request answers as if nothing failed, the task waits in the outbox
        response = _invite(client, world, "during-outage@example.cn")
        assert response.status_code == 302
        row = OutboxMessage.objects.get(task="marketplace.tasks.send_email_to_address")
        assert row.done_at is None and not mail.outbox
        outbox.relay()  # the beat relay while the broker is still down: nothing raised, nothing lost
        # Redis comes back, empty; the worker reconnects by itself; the relay sends; one email
        broker.start()
        assert _relay_until(lambda: len(mail.outbox) == 1)
        assert wait_for(lambda: OutboxMessage.objects.get(pk=row.pk).done_at is not None)
        assert outbox.relay() == 0  # done: never sent again
    assert [m.to for m in mail.outbox] == [["during-outage@example.cn"]]


def test_a_message_lost_with_redis_is_sent_again_and_a_duplicate_copy_runs_once(client, world, broker):
    # sent to Redis while no worker runs; Redis crashes without persistence: the queued message is gone
    response = _invite(client, world, "lost@example.cn")
    assert response.status_code == 302
    row = OutboxMessage.objects.get(task="marketplace.tasks.send_email_to_address")
    assert row.publishes == 1 and row.done_at is None
    broker.kill()
    broker.start()
    # the relay sends it again after OUTBOX_REDELIVER_AFTER, twice here (a slow worker would see two copies)
    assert wait_for(lambda: outbox.relay() == 1, timeout=10)
    assert wait_for(lambda: outbox.relay() == 1, timeout=10)
    assert OutboxMessage.objects.get(pk=row.pk).publishes == 3
    with _worker():
        assert wait_for(lambda: OutboxMessage.objects.get(pk=row.pk).done_at is not None)
        assert wait_for(lambda: app.connection_for_read().default_channel.client.llen("celery") == 0)
    assert [m.to for m in mail.outbox] == [["lost@example.cn"]]
