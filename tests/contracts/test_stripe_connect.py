"""Stripe Connect: the provider's admin onboards an Express account from the dashboard, and each online payment is
transferred to it exactly once (the project's test server serves the Connect routes localstripe lacks)."""

import urllib.error
import urllib.request

import pytest

from contracts import services
from contracts.models import Payment, PayoutAccount
from contracts.tasks import payments_reconcile
from marketplace.errors import Conflict, NotFound
from tests.contracts.stripe_fixtures import *  # noqa: F403
from tests.contracts.stripe_fixtures import make_accepted_payment
from tests.contracts.test_stripe_payments import Killed, die_after

# The Connect test server remembers accounts by their idempotency keys, which derive from the organisation's row:
# a shared world's organisation would meet the account an earlier test completed.
pytestmark = [pytest.mark.django_db, pytest.mark.own_world]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def finish_onboarding_at_stripe(link: str) -> str:
    """Complete Stripe's hosted onboarding form (the test server's stand-in); returns where Stripe sends the user."""
    try:
        urllib.request.build_opener(_NoRedirect).open(link, timeout=10)
    except urllib.error.HTTPError as response:
        assert response.code == 302
        return response.headers["Location"]
    raise AssertionError("no redirect back to the platform")


def transfers_to(server, account_id: str) -> list[dict]:
    return server.request("GET", f"/v1/transfers?destination={account_id}", front=True)["data"]


def test_the_provider_onboards_from_its_dashboard_and_waiting_payments_are_transferred(world, stripe_on, client):
    paid = make_accepted_payment(world)
    services.payment_pay(actor=world.procurement_x, payment_id=paid.pk, payment_method="pm_card_visa")
    paid.refresh_from_db()
    assert paid.status == Payment.Status.SUCCEEDED and paid.transfer_id == ""  # no payout account yet

    client.force_login(world.member_a)
    dashboard = client.get("/en/dashboard/").content.decode()
    assert "Set up the payout account with Stripe" in dashboard
    response = client.post(f"/en/dashboard/payouts/{world.org_a.pk}/onboard/")
    assert response.status_code == 302 and response["Location"].startswith(stripe_on.url + "/_test/onboard/acct_")
    account = PayoutAccount.objects.get(organisation=world.org_a)
    assert not account.ready and account.onboarded_at is None
    # Leaving and starting again continues with the same account.
    again = client.post(f"/en/dashboard/payouts/{world.org_a.pk}/onboard/")
    assert again["Location"].startswith(stripe_on.url + f"/_test/onboard/{account.stripe_account_id}")
    assert PayoutAccount.objects.count() == 1
    assert "Continue the setup with Stripe" in client.get("/en/dashboard/").content.decode()

    back = finish_onboarding_at_stripe(again["Location"])
    assert back == f"http://testserver/en/dashboard/payouts/{world.org_a.pk}/return/"
    response = client.get(back.removeprefix("http://testserver"), follow=True)
    assert "The payout account is ready" in response.content.decode()
    account.refresh_from_db()
    assert account.ready and account.onboarded_at is not None

    paid.refresh_from_db()
    [transfer] = transfers_to(stripe_on, account.stripe_account_id)
    assert paid.transfer_id == transfer["id"] and paid.transferred_at is not None
    assert transfer["amount"] == paid.amount_fen and transfer["currency"] == "cny"
    assert transfer["transfer_group"] == f"contract-{paid.milestone.contract_id}"
    assert "Ready to receive payments" in client.get("/en/dashboard/").content.decode()

    # The next payment goes straight to the account, once, even when asked again.
    second = make_accepted_payment(world, price="50000.00")
    second = services.payment_pay(actor=world.procurement_x, payment_id=second.pk, payment_method="pm_card_visa")
    second.refresh_from_db()
    assert second.transfer_id and services.payment_transfer(payment_id=second.pk) == second.transfer_id
    assert len(transfers_to(stripe_on, account.stripe_account_id)) == 2


def test_only_the_providers_admin_sets_up_payouts(world, stripe_on, client):
    for outsider in (world.member_b, world.procurement_x, world.operator):
        with pytest.raises(NotFound):
            services.payout_onboarding_start(actor=outsider, organisation_id=world.org_a.pk,
                                             refresh_url="http://x/r", return_url="http://x/r")
        client.force_login(outsider)
        assert client.post(f"/en/dashboard/payouts/{world.org_a.pk}/onboard/").status_code == 404
        assert client.get(f"/en/dashboard/payouts/{world.org_a.pk}/return/").status_code == 404
    with pytest.raises(Conflict):  # back from Stripe before ever starting
        services.payout_onboarding_refresh(actor=world.member_a, organisation_id=world.org_a.pk)
    assert not PayoutAccount.objects.exists()


def test_without_stripe_there_is_no_payout_setup(world, settings, client):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(world.member_a)
    assert "payout account" not in client.get("/en/dashboard/").content.decode()
    response = client.post(f"/en/dashboard/payouts/{world.org_a.pk}/onboard/", follow=True)
    assert "Online payment is not configured, so there is no payout account to set up." in response.content.decode()


def test_a_transfer_interrupted_by_a_dying_worker_is_made_once_by_reconciliation(world, stripe_on, monkeypatch):
    link = services.payout_onboarding_start(actor=world.member_a, organisation_id=world.org_a.pk,
                                            refresh_url="http://testserver/r", return_url="http://testserver/r")
    finish_onboarding_at_stripe(link)
    account = services.payout_onboarding_refresh(actor=world.member_a, organisation_id=world.org_a.pk)
    assert account.ready
    payment = make_accepted_payment(world)
    die_after(monkeypatch, "create_transfer")  # the transfer is made, the worker dies before recording it
    with pytest.raises(Killed):
        services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    monkeypatch.undo()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.transfer_id == ""
    assert len(transfers_to(stripe_on, account.stripe_account_id)) == 1

    assert payments_reconcile.apply().get()["transfers"] == 1
    payment.refresh_from_db()
    [transfer] = transfers_to(stripe_on, account.stripe_account_id)  # the same key: Stripe returns the same one
    assert payment.transfer_id == transfer["id"]
    assert payments_reconcile.apply().get()["transfers"] == 0


def test_a_provider_that_never_comes_back_from_stripe_is_found_by_reconciliation(world, stripe_on):
    payment = make_accepted_payment(world)
    services.payment_pay(actor=world.procurement_x, payment_id=payment.pk, payment_method="pm_card_visa")
    link = services.payout_onboarding_start(actor=world.member_a, organisation_id=world.org_a.pk,
                                            refresh_url="http://testserver/r", return_url="http://testserver/r")
    assert payments_reconcile.apply().get()["accounts"] == 0  # still filling in the form at Stripe
    finish_onboarding_at_stripe(link)  # ... and closes the tab instead of returning to the platform
    counts = payments_reconcile.apply().get()
    assert counts["accounts"] == 1 and counts["transfers"] == 0  # the transfer was made while refreshing
    account = PayoutAccount.objects.get(organisation=world.org_a)
    assert account.ready and account.onboarded_at is not None
    payment.refresh_from_db()
    assert [t["id"] for t in transfers_to(stripe_on, account.stripe_account_id)] == [payment.transfer_id]
