"""manage.py demo_data loads realistic Chinese content and is idempotent."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.core.management import call_command

from bids.models import Tender
from catalogue.models import PurchaseListPage, ServiceItemPage
from contracts.models import Contract
from marketplace.models import AuditEvent, Organisation, StreetOffice, User
from ratings.models import Review


def _counts():
    return {model.__name__: model.objects.count() for model in
            (StreetOffice, Organisation, ServiceItemPage, PurchaseListPage, Tender, Contract, Review, User,
             AuditEvent)}


@pytest.mark.django_db
def test_demo_data_is_realistic_and_idempotent(client):
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    first = _counts()
    assert first["StreetOffice"] == 4 and first["ServiceItemPage"] == 25
    assert Organisation.objects.filter(track="filed").count() == 4
    assert Organisation.objects.filter(track="registered").count() == 4
    assert {"published", "draft", "cancelled", "awarded"} <= set(Tender.objects.values_list("status", flat=True))
    assert Review.objects.filter(status="published").exists()
    waiting = PurchaseListPage.objects.get(live=False)  # waiting for the head's approval
    assert waiting.workflow_in_progress
    assert "demo-pass-2026" in out.getvalue() and "head@demo.cn" in out.getvalue()
    call_command("demo_data", stdout=io.StringIO())
    assert _counts() == first
    # The printed code opens the staff accounts' two-factor sign-in.
    code = io.StringIO()
    call_command("demo_totp_code", stdout=code)
    secret = Authenticator.objects.get(user__email="head@demo.cn", type="totp").wrap().instance.data["secret"]
    assert validate_totp_code(secret, code.getvalue().strip())
    assert "社区服务" in client.get("/").content.decode()
