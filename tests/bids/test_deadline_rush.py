"""A rush at the deadline against a real server: gunicorn with 3 workers on PostgreSQL, 64 bidders, each with its
own organisation and draft, submitting through the bid form from 1 s before to 1 s after the deadline.

The server's own record of when each request arrived (the `X-Arrived-At` header, and the receipt's time) decides
which side of the deadline it was: every bid that arrived in time is accepted, however long it waited for a
worker or the tender's lock; every bid that arrived late is refused; none is lost; the tender closes once.
"""

import datetime as dt
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from bids import services
from bids.models import Bid, Tender
from marketplace.arrival import ARRIVED_AT_HEADER
from marketplace.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BIDDERS = 64
GRACE = 20  # seconds; the test closes the tender itself with the clock moved past it, so it never waits for it
PORTS = range(18200, 18300)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 18200-18299")


@pytest.fixture
def gunicorn():
    if connection.vendor != "postgresql":
        pytest.skip("the rush runs against gunicorn on PostgreSQL")
    db = connection.settings_dict
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "TENDER_CLOSE_GRACE_SECONDS": str(GRACE)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--preload", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while True:  # the app is loaded once before the workers fork (--preload); a busy machine is slow at it
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {process.stderr.read()[-2000:]}")
            try:
                if requests.get(f"{base}/tenders/", timeout=30).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                if time.monotonic() - started > 180:
                    raise RuntimeError("gunicorn did not answer") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_64_bidders_across_the_deadline_through_gunicorn(world, gunicorn):
    now = timezone.now()
    tender = Tender.objects.create(  # fixture rows for a race; the deadline is set once everyone is ready
        office=world.office_x, category=world.category, title="截止冲刺测试", budget_ceiling=Decimal("100000"),
        status=Tender.Status.PUBLISHED, published_at=now - dt.timedelta(days=7),
        clarification_deadline=now - dt.timedelta(days=1), submission_deadline=now + dt.timedelta(hours=1),
        allow_filed=False,
    )
    bidders = []
    for n in range(BIDDERS):
        org = OrganisationFactory(categories=[world.category])
        user = MembershipFactory(organisation=org).user
        draft = services.bid_save_draft(actor=user, tender_id=tender.pk, organisation=org, price=Decimal(90000 - n),
                                        proposal=f"方案 {n}")
        login = Client()
        login.force_login(user)
        session = requests.Session()
        session.cookies.set(settings.SESSION_COOKIE_NAME, login.cookies[settings.SESSION_COOKIE_NAME].value)
        bidders.append((org, draft, session))
    url = f"{gunicorn}/tenders/{tender.pk}/bid/"
    tokens = {}
    for org, _draft, session in bidders:  # each bidder opens the form first, as a browser would
        page = session.get(url, timeout=30)
        assert page.status_code == 200
        tokens[org.pk] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    deadline = timezone.now() + dt.timedelta(seconds=2)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=deadline)
    results, errors = {}, []
    start = threading.Barrier(BIDDERS)

    def bid(org, draft, session):
        try:
            start.wait()
            # Sent from 1 s before to 1 s after the deadline.
            time.sleep(max(0.0, (deadline - timezone.now()).total_seconds() + random.uniform(-1.0, 1.0)))  # noqa: S311
            response = session.post(url, data={
                "csrfmiddlewaretoken": tokens[org.pk], "organisation": org.pk, "price": f"{draft.price}",
                "proposal": draft.proposal, "submit": "1"}, headers={"Referer": url}, allow_redirects=False,
                timeout=50)
            results[draft.pk] = (response.status_code, dt.datetime.fromisoformat(response.headers[ARRIVED_AT_HEADER]),
                                 response.headers.get("Location", ""))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bid, args=b) for b in bidders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert len(results) == BIDDERS

    # The close at deadline + grace, as the task queued at publication runs it.
    with override_settings(TENDER_CLOSE_GRACE_SECONDS=GRACE), \
            time_machine.travel(deadline + dt.timedelta(seconds=GRACE), tick=False):
        assert services.tenders_close_due() == 1
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CLOSED
    assert AuditEvent.objects.filter(object_id=str(tender.pk), verb__in=["tender.close", "tender.unsuccessful"],
                                     content_type__model="tender").count() == 1

    in_time = {pk for pk, (_s, arrived, _l) in results.items() if arrived < deadline}
    late = set(results) - in_time
    assert in_time and late, "the rush should straddle the deadline"
    statuses = {pk: status for pk, (status, _a, _l) in results.items()}
    assert {statuses[pk] for pk in in_time} == {302}, "a bid that arrived in time was refused"
    assert {statuses[pk] for pk in late} == {409}, "a bid that arrived late was accepted"
    opened = {b.pk: b for b in Bid.objects.filter(tender=tender, status=Bid.Status.OPENED)}
    assert set(opened) == in_time  # none lost, none extra
    for pk in in_time:
        bid = opened[pk]
        assert bid.submitted_at == results[pk][1] < deadline and bid.digest_verified and bid.version == 1
        assert results[pk][2].endswith(f"/bids/{pk}/receipt/")
    assert not Bid.objects.filter(pk__in=late).exclude(status=Bid.Status.WITHDRAWN).exists()
