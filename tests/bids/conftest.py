"""Tendering fixtures: a published tender of office X, opened at a fixed working-week moment."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bids import services
from bids.models import Tender

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)
DEADLINE = dt.datetime(2026, 3, 12, 10, 0, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft_tender(world, clock):
    return Tender.objects.create(
        office=world.office_x, category=world.category, service_item=world.item, title="居家养老上门服务",
        budget_ceiling=Decimal("120000.00"), allow_filed=False,
    )


@pytest.fixture
def tender(world, draft_tender):
    services.tender_update(actor=world.procurement_x, tender=draft_tender,
                           clarification_deadline=dt.datetime(2026, 3, 5, 17, 0, tzinfo=SH),
                           submission_deadline=DEADLINE)
    return services.tender_publish(actor=world.procurement_x, tender=draft_tender)


def submit(world, tender, user, org, price="90000.00", proposal="方案"):
    draft = services.bid_save_draft(actor=user, tender_id=tender.pk, organisation=org, price=Decimal(price),
                                    proposal=proposal)
    return services.bid_submit(actor=user, bid_id=draft.pk)
