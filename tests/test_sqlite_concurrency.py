"""Concurrent writers on the embedded default (SQLite), against a live `runserver` with `config.settings.local`.

A smaller version of bench/sqlite_writers.py: 32 organisation members save their draft bids at once, through
HTTP. No answer is a 500, every save answered with a redirect is in the database, and a save that could not
get its turn (a 503) shows the "busy" page with what was typed. Then the busy page itself: with the database
held by another process past the server's busy timeout, a draft save answers 503 with the input kept, and
sending that page's form once the database is free saves the draft.
"""

import datetime as dt
import importlib.util
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone

from bids.models import Bid, Tender
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 32
SAVES = 3
PORT_BASE = 18720  # helper range 18700-18799


def _bench():
    path = Path(settings.BASE_DIR) / "bench" / "sqlite_writers.py"
    spec = importlib.util.spec_from_file_location("sqlite_writers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _needs_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's write lock is SQLite's")


def _free_port() -> int:
    import socket

    for port in range(PORT_BASE, PORT_BASE + 40):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 18720-18759")


def _bidders(world, n: int) -> tuple[Tender, list[dict], list[dict]]:
    now = timezone.now()
    # Fixture rows, not the publication path: an open tender with its deadline a week away.
    tender = Tender.objects.create(
        office=world.office_x, category=world.category, title="并发保存测试", budget_ceiling=Decimal("100000"),
        status=Tender.Status.PUBLISHED, published_at=now - dt.timedelta(days=7),
        clarification_deadline=now + dt.timedelta(days=3), submission_deadline=now + dt.timedelta(days=7),
        allow_filed=False,
    )
    specs, cookies = [], []
    for _ in range(n):
        org = OrganisationFactory(categories=[world.category])
        user = MembershipFactory(organisation=org).user
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        specs.append({"email": user.email, "organisation": org.pk, "tender": tender.pk, "criteria": []})
        cookies.append({settings.SESSION_COOKIE_NAME: session.session_key})
    return tender, specs, cookies


def _copy_to_file(tmp_path: Path) -> Path:
    """The test database (in memory, or a file with --reuse-db), copied to a file the server can open."""
    target = tmp_path / "db.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()
    return target


def _server(bench, database: Path, folder: Path, port: int, **env):
    return bench.EmbeddedServer(database, folder, port, celery=False, extra_env={
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions were signed with the test settings' key
        "DJANGO_DEBUG": "False", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", **env})


def test_32_concurrent_draft_savers_get_no_500_and_every_save_is_kept(world, tmp_path):
    bench = _bench()
    _tender, specs, cookies = _bidders(world, CLIENTS)
    database = _copy_to_file(tmp_path)
    port = _free_port()
    with _server(bench, database, tmp_path, port) as server:
        run = bench.run_clients(port, specs, SAVES, cookies=cookies)
        log = server.log()
    summary = bench.summarise(run)
    assert not summary["errors"], summary["errors"][:5]
    assert summary["saves"] == CLIENTS * SAVES
    assert set(summary["statuses"]) <= {302, 503}, (summary["statuses"], summary["samples_500"], log[-3000:])
    assert summary["statuses"].get(302, 0) > 0
    assert summary["page_500"] == 0
    # A busy answer keeps what was typed (the page re-sends the form).
    assert summary["busy_kept_input"] == summary["statuses"].get(503, 0)
    kept = bench.check_kept(database, specs, run)
    assert kept == {"lost": 0, "unanswered_but_kept": 0, "wrong_last": 0}, kept


def test_busy_page_keeps_the_input_and_sending_it_again_saves_the_draft(world, tmp_path):
    bench = _bench()
    tender, specs, cookies = _bidders(world, 1)
    database = _copy_to_file(tmp_path)
    port = _free_port()
    with _server(bench, database, tmp_path, port, SQLITE_BUSY_TIMEOUT="0.5"):
        client = bench.Client(port, cookies[0])
        path = f"/en/tenders/{tender.pk}/bid/"
        status, _location, html = client.get(path)
        assert status == 200
        holder = sqlite3.connect(database, timeout=5, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock past the busy timeout
        try:
            form = bench.save_form(specs[0], "4321.00", "Home visits twice a week", client.csrf(html))
            status, _location, busy = client.request("POST", path, form)
        finally:
            holder.rollback()
            holder.close()
        assert status == 503
        assert "Busy, please try again" in busy  # in the request's language
        assert 'value="Home visits twice a week"' in busy and 'value="4321.00"' in busy
        again = dict(bench.hidden_fields(busy))
        status, location, _body = client.request("POST", path, again)
        assert status == 302, _body[:500]
    saved = sqlite3.connect(database)
    price, proposal = saved.execute("SELECT price, proposal FROM bids_bid WHERE tender_id = ? AND status = ?",
                                    (tender.pk, Bid.Status.DRAFT)).fetchone()
    saved.close()
    assert (Decimal(str(price)), proposal) == (Decimal("4321.00"), "Home visits twice a week")
