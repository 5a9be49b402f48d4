"""Helpers for the contract tests: a contract from an award, made and signed through the services."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bids.models import Bid, Tender
from contracts import services
from contracts.models import Contract

SH = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, 09:00 in Shanghai: the award day, so the term runs 2026-03-02 to 2027-03-01.
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)


def make_contract(world, *, price: str = "98000.00", title: str = "居家养老上门服务") -> Contract:
    """A draft contract created from an award, as the tender_awarded receiver does it."""
    tender = Tender.objects.create(
        office=world.office_x, category=world.category, service_item=world.item, title=title,
        budget_ceiling=Decimal("120000.00"), status=Tender.Status.AWARDED, awarded_at=timezone.now(),
        indicators=world.item.indicator_snapshot())
    bid = Bid.objects.create(tender=tender, organisation=world.org_a, created_by=world.member_a,
                             price=Decimal(price), status=Bid.Status.AWARDED)
    return services.contract_create_from_award(tender=tender, bid=bid)


def sign(world, contract: Contract) -> Contract:
    services.contract_send_for_signature(actor=world.procurement_x, contract_id=contract.pk)
    services.contract_sign(actor=world.head_x, contract_id=contract.pk, ip="10.1.1.1")
    services.contract_sign(actor=world.member_a, contract_id=contract.pk, ip="10.1.1.2")
    return Contract.objects.get(pk=contract.pk)


def active_contract(world, **kwargs) -> Contract:
    return sign(world, make_contract(world, **kwargs))


def pdf_file(name: str = "签到表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf")


def png_file(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + bytes(64), content_type="image/png")


def plan_data(rows: list[dict], *, starts_on: str = "2026-03-02", ends_on: str = "2027-03-01", initial: int = 0,
              **extra) -> dict:
    """A POST of the term and the plan formset (prefix "plan"), rows as typed in the page."""
    data = {"starts_on": starts_on, "ends_on": ends_on, "plan-TOTAL_FORMS": str(len(rows)),
            "plan-INITIAL_FORMS": str(initial), "plan-MIN_NUM_FORMS": "0", "plan-MAX_NUM_FORMS": "50"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"plan-{i}-{key}"] = value
    data.update(extra)
    return data
