"""Fixtures for the Stripe tests: one localstripe (behind the project's Connect test server) per session.

Import explicitly at the top of each Stripe test module: `from tests.contracts.stripe_fixtures import *  # noqa`.
The server runs in its own process on 127.0.0.1 with fresh state (tests/contracts/stripe_server.py). Tests talk to
it through the real `stripe` library (contracts.stripe_client); they look at it directly over HTTP (`ls_get`)
only to count what really happened on Stripe's side (charges, intents, refunds, transfers).
"""

import json
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from bids.models import Bid, Tender
from contracts import services
from contracts.models import Contract, Payment
from tests import waiting

__all__ = ["SECRET_KEY", "WEBHOOK_SECRET", "StripeServer", "accepted_payment", "make_accepted_payment",
           "stripe_on", "stripe_server", "stripe_webhooks", "wait_for"]

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk_test_platform_tests"  # noqa: S105 - a test key for localstripe
WEBHOOK_SECRET = "whsec_platform_tests"  # noqa: S105
NOWHERE = "http://127.0.0.1:9/"  # the discard port: nothing listens, deliveries fail fast


@dataclass
class StripeServer:
    url: str  # the front server (Connect routes + proxy): STRIPE_API_BASE
    localstripe_url: str
    process: subprocess.Popen
    earlier: frozenset | set = frozenset()

    def request(self, method: str, path: str, data: dict | None = None, *, front: bool = False) -> dict:
        base = self.url if front else self.localstripe_url
        body = urllib.parse.urlencode(data or {}).encode() if method != "GET" else None
        headers = {"Authorization": f"Bearer {SECRET_KEY}"}
        req = urllib.request.Request(base + path, data=body, method=method, headers=headers)  # noqa: S310
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 - our own 127.0.0.1 server
            raw = response.read()
        return json.loads(raw) if raw.strip() else {}

    def ls_list(self, resource: str, **query) -> list[dict]:
        """Every object of a kind that localstripe holds (its list is not paginated when the limit is large)."""
        qs = urllib.parse.urlencode({"limit": 100000, **query})
        return self.request("GET", f"/v1/{resource}?{qs}")["data"]

    def forget_earlier_tests(self) -> None:
        """Database ids repeat between tests, so intents made by earlier tests are left out from now on."""
        self.earlier = {i["id"] for i in self.ls_list("payment_intents")}

    def intents_of(self, payment: Payment) -> list[dict]:
        return [i for i in self.ls_list("payment_intents")
                if i["metadata"].get("payment_id") == str(payment.pk) and i["id"] not in self.earlier]

    def charges_of(self, payment: Payment) -> list[dict]:
        """Charges that took money for this payment (localstripe: status succeeded) — never more than one."""
        intents = {i["id"] for i in self.intents_of(payment)}
        return [c for c in self.ls_list("charges") if c["payment_intent"] in intents and c["status"] == "succeeded"]

    def register_webhook(self, url: str) -> None:
        self.request("POST", "/_config/webhooks/platform", {"url": url, "secret": WEBHOOK_SECRET})


_running: list[tuple[StripeServer, str]] = []  # one server per test session, shared by every module


def _start_server() -> tuple[StripeServer, str]:
    log = tempfile.NamedTemporaryFile(prefix="stripe-server-", suffix=".log", delete=False)  # noqa: SIM115
    log.close()
    with open(log.name, "w") as errors:
        process = subprocess.Popen([sys.executable, "-m", "tests.contracts.stripe_server"], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=errors, text=True)
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"the Stripe test server did not start; see {log.name}")
    _ready, port, ls_port = line.split()
    server = StripeServer(url=f"http://127.0.0.1:{port}", localstripe_url=f"http://127.0.0.1:{ls_port}",
                          process=process)
    server.register_webhook(NOWHERE)
    return server, log.name


@pytest.fixture(scope="session")
def stripe_server():
    """Each module that star-imports this fixture gets its own session-scoped copy of it, so the process itself
    is kept here: the first copy starts it, every copy reuses it, and it stops at the end of the session."""
    if not _running or _running[0][0].process.poll() is not None:
        _running[:] = [_start_server()]
    server, log = _running[0]
    yield server
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=10)
    if Path(log).exists() and not Path(log).stat().st_size:
        Path(log).unlink()  # kept only when the server complained


@pytest.fixture
def stripe_on(settings, stripe_server):
    """Online payments on, through the test server."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    stripe_server.forget_earlier_tests()
    return stripe_server


@pytest.fixture
def stripe_webhooks(stripe_on, live_server):
    """localstripe delivers signed webhooks to this test's live Django server (and nowhere once it ends)."""
    stripe_on.register_webhook(live_server.url + "/stripe/webhook/")
    yield stripe_on
    stripe_on.register_webhook(NOWHERE)


def wait_for(predicate, *, timeout: float = 10.0, settle: float = 2.0):
    """Poll the database until `predicate()` is true, while localstripe delivers a webhook to the live server.

    On an in-memory SQLite database the live server shares this thread's connection, so the test stays off it
    while a delivery is likely in flight (localstripe sends one second after the event) and polls slowly. A read
    that meets the server's write ("database table is locked") is simply tried again."""
    shared = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if shared:
        time.sleep(settle)

    def attempt():
        try:
            return predicate()
        except OperationalError:
            return None

    value = waiting.wait_for(attempt, timeout=timeout, interval=0.5 if shared else 0.1)
    if not value:
        raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
    return value


def make_accepted_payment(world, *, price: str = "98000.00") -> Payment:
    """An active contract of office X with org A whose first milestone is accepted: its payment is pending."""
    tender = Tender.objects.create(office=world.office_x, category=world.category, title="居家养老上门服务",
                                   budget_ceiling=Decimal("120000.00"), status=Tender.Status.AWARDED)
    bid = Bid.objects.create(tender=tender, organisation=world.org_a, created_by=world.member_a,
                             price=Decimal(price), status=Bid.Status.AWARDED)
    contract = services.contract_create_from_award(tender=tender, bid=bid)
    services.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)
    services.contract_sign(actor=world.head_x, contract_id=contract.pk, ip="10.1.1.1")
    services.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.1.1.2")
    contract = Contract.objects.get(pk=contract.pk)
    milestone = contract.milestones.order_by("sequence").first()
    services.milestone_submit_evidence(actor=world.member_a, milestone_id=milestone.pk, report="第一阶段服务记录。")
    services.milestone_accept(actor=world.procurement_x, milestone_id=milestone.pk)
    return Payment.objects.get(milestone=milestone)


@pytest.fixture
def accepted_payment(world) -> Payment:
    return make_accepted_payment(world)
