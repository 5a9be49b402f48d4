"""Hostile input, case by case: what the user gets for a bad id, a control character, an out-of-range filter or a
malformed Stripe event (tests/test_fuzz_inputs.py walks every page with such values; these pin the answers)."""

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import django_filters
import pytest
import time_machine
from allauth.account.forms import SignupForm
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import reverse
from django.utils.html import escape

from bids import services as bid_services
from bids.forms import TenderForm
from bids.models import Tender
from catalogue.models import PurchaseListPage
from contracts.models import StripeEvent
from marketplace.filters import BoundedFilterSet
from marketplace.validators import validate_no_control_characters
from tests.test_fuzz_inputs import forms_of

with contextlib.suppress(ImportError):  # staff sessions that passed the second factor (conftest may import it too)
    from tests.mfa import _force_login_passes_second_factor  # noqa: F401

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft(world, clock):
    return Tender.objects.create(office=world.office_x, category=world.category, service_item=world.item,
                                 title="居家养老上门服务", budget_ceiling=Decimal("120000.00"), allow_filed=False)


@pytest.fixture
def published(world, draft):
    bid_services.tender_update(actor=world.procurement_x, tender=draft,
                               clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                               submission_deadline=dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH))
    return bid_services.tender_publish(actor=world.procurement_x, tender=draft)


# --- Ids ----------------------------------------------------------------------------------------------------


def test_an_id_too_long_for_the_database_is_a_404(client, world, draft):
    client.force_login(world.procurement_x)
    for path in ("/tenders/" + "9" * 30 + "/", "/providers/9223372036854775808/", "/tenders/9223372036854775807/",
                 f"/catalogue/lists/{'9' * 19}/print.pdf", "/dashboard/contracts/" + "9" * 25 + "/"):
        assert client.get(path).status_code == 404, path
    assert client.post("/dashboard/tenders/" + "9" * 30 + "/qualify/", {"bid": "1"}).status_code == 404
    assert client.get(f"/dashboard/tenders/{draft.pk}/").status_code == 200
    assert reverse("bids:office_tender_action", kwargs={"pk": draft.pk, "action": "qualify"}) == \
        f"/dashboard/tenders/{draft.pk}/qualify/"


@pytest.mark.parametrize("bad", ["abc", "9" * 30, "-1", "1.5", "\x00"])
def test_an_id_that_is_not_one_is_a_400_that_says_so_in_the_users_language(client, world, draft, bad):
    client.force_login(world.procurement_x)
    response = client.post(f"/dashboard/tenders/{draft.pk}/qualify/", {"bid": bad})
    assert response.status_code == 400
    assert "不是有效的编号" in response.content.decode()
    response = client.post(f"/en/dashboard/tenders/{draft.pk}/disqualify/", {"bid": bad, "reason": "x"})
    assert response.status_code == 400
    assert "is not a valid reference: it must be a number" in response.content.decode()
    # Naming nothing stays what it was: nothing found.
    assert client.post(f"/dashboard/tenders/{draft.pk}/qualify/", {}).status_code == 404


def test_a_bad_object_id_in_a_contract_action_comes_back_as_a_message(client, world):
    from tests.test_permission_matrix import build_context

    with time_machine.travel(MONDAY, tick=False):
        ctx = build_context(world)
        client.force_login(world.procurement_x)
        response = client.post(f"/dashboard/contracts/{ctx.contract.pk}/accept/", {"milestone": "1e3"}, follow=True)
    assert response.status_code == 200
    assert "“1e3”不是有效的编号" in response.content.decode()


# --- Control characters -----------------------------------------------------------------------------------------


def test_a_form_feed_in_the_tender_title_is_refused_next_to_the_field_and_the_title_is_kept(client, world, draft):
    client.force_login(world.procurement_x)
    page = client.get(f"/dashboard/tenders/{draft.pk}/")
    form = next(f for f in forms_of(page, page.wsgi_request.path) if "title" in f["fields"])
    data = {name: value for name, (kind, value) in form["fields"].items() if kind not in ("file", "submit")}
    data["title"] = "居家养老\x0c服务 url(http://example.com/x)"
    response = client.post(f"/dashboard/tenders/{draft.pk}/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "不可见的控制字符（U+000C）" in body  # the message, in the user's language
    assert f'value="{escape(data["title"])}"' in body  # what was typed is still in the field
    draft.refresh_from_db()
    assert draft.title == "居家养老上门服务"


def test_nul_in_text_a_view_reads_itself_is_a_message_not_a_500(client, world, published):
    client.force_login(world.member_a)
    response = client.post(f"/tenders/{published.pk}/questions/", {"question": "请问\x00截止时间？"}, follow=True)
    assert response.status_code == 200
    assert "U+0000" in response.content.decode()
    assert not published.clarifications.exists()


def test_a_control_character_in_the_search_box_is_said_next_to_it(client, site):
    response = client.get("/search/", {"q": "养老\x1b服务"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "U+001B" in body and 'value="养老\x1b服务"' in body


def test_text_fields_of_forms_of_every_origin_refuse_control_characters(world):
    """Ours, a Wagtail page form (with its inline purchase lines), allauth's and the Django admin's."""
    page_form = PurchaseListPage.get_edit_handler().get_form_class()
    line_form = page_form.formsets["lines"].form
    fields = [TenderForm.base_fields["title"], TenderForm.base_fields["description"],
              page_form.base_fields["title"], line_form.base_fields["title"],
              SignupForm().fields["email"], AdminAuthenticationForm.base_fields["username"]]
    for field in fields:
        assert validate_no_control_characters in field.validators, field
    assert TenderForm(data={"title": "a\x0cb"}).errors["title"][0].startswith("文字中第 2 个字符")


# --- Filters ------------------------------------------------------------------------------------------------


def test_every_filterset_is_bounded():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [cls for cls in subclasses(django_filters.FilterSet)
            if cls.__module__.split(".")[0] in ("marketplace", "bids", "contracts", "ratings", "catalogue", "cms")]
    assert len(ours) >= 2
    assert all(issubclass(cls, BoundedFilterSet) for cls in ours), ours


@pytest.mark.parametrize("query", [
    "budget_min=1e-999999", "budget_max=9" + "9" * 40, "budget_min=NaN", "office=" + "9" * 30, "office=1.5",
    "category=%00", "deadline_after=99999-01-01", "q=%00",
])
def test_a_tender_filter_out_of_range_is_a_form_error(client, world, published, query):
    response = client.get(f"/tenders/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].form.errors, query


@pytest.mark.parametrize("query", ["min_rating=1e-999999", "office=" + "9" * 30, "district=abc", "category=%00"])
def test_a_provider_filter_out_of_range_is_a_form_error(client, world, query):
    response = client.get(f"/providers/?{query}")
    assert response.status_code == 200


# --- Stripe ------------------------------------------------------------------------------------------------------

SECRET = "whsec_hostile_input_test"


def post_signed(client, body: str):
    stamp = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return client.post("/stripe/webhook/", data=body.encode(), content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=f"t={stamp},v1={digest}")


def event(**fields) -> dict:
    return {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_1", "object": "payment_intent", "metadata": {}}}, **fields}


@pytest.mark.parametrize("body", [
    "[]", '"event"', "1", "{}", "[" * 50_000 + "]" * 50_000,
    json.dumps(event(id=None)), json.dumps(event(id={"a": 1})), json.dumps(event(id="evt_" + "x" * 200)),
    json.dumps(event(type=5)), json.dumps(event(type="t" * 500)), json.dumps(event(data="x")),
    json.dumps(event(data={"object": []})), json.dumps(event(data={"object": {"id": ["pi_1"]}})),
    json.dumps(event(data={"object": {"id": "pi_1", "metadata": "payment_id=1"}})),
    json.dumps(event(id="evt_\u0000")), json.dumps(event(data={"object": {"id": "pi_1", "note": "a\u0000b"}})),
    '{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "\\ud800"}}}',
])
def test_a_signed_but_malformed_stripe_event_is_a_400_and_nothing_is_stored(client, settings, db, body):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    response = post_signed(client, body)
    assert response.status_code == 400, response.content
    assert not StripeEvent.objects.exists()


def test_a_signed_well_formed_event_for_no_payment_of_ours_is_still_taken(client, settings, db):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    body = json.dumps(event(data={"object": {"id": "pi_1", "metadata": {"payment_id": "9" * 30, "attempt": "x"}}}))
    response = post_signed(client, body)
    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome.startswith("ignored")
