"""Contracts made and delivered through the contracts services, so that reviews start from real closed contracts."""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bids.models import Bid, Tender
from contracts import services as contract_services
from contracts.models import Contract, Payment
from marketplace import services as marketplace_services
from marketplace.models import OfficeStaff

from ..factories import MembershipFactory, OrganisationFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)  # a Monday
_titles = itertools.count(1)

OFFICE_SCORES = ("quality", "timeliness", "compliance", "communication", "satisfaction")
PROVIDER_SCORES = ("policy_support", "funding", "guidance", "requirements", "fair_acceptance")


def office_scores(*values):
    values = values if len(values) == 5 else values * 5
    return dict(zip(OFFICE_SCORES, values, strict=True))


def provider_scores(*values):
    values = values if len(values) == 5 else values * 5
    return dict(zip(PROVIDER_SCORES, values, strict=True))


class Maker:
    def __init__(self, world):
        self.w = world
        self.officers = {world.office_x.pk: world.procurement_x, world.office_y.pk: world.procurement_y}
        self.members = {world.org_a.pk: world.member_a, world.org_b.pk: world.member_b}

    def officer(self, office):
        return self.officers[office.pk]

    def member(self, org):
        return self.members[org.pk]

    def organisation(self, name):
        org = OrganisationFactory(name=name, categories=[self.w.category])
        self.members[org.pk] = MembershipFactory(organisation=org, user__email=f"m{org.pk}@example.cn").user
        return org

    def office_officer(self, office):
        user = UserFactory(email=f"officer{office.pk}@example.cn")
        marketplace_services.office_staff_add(actor=self.w.operator, office=office, user=user,
                                              role=OfficeStaff.Role.PROCUREMENT)
        self.officers[office.pk] = user
        return user

    def active(self, *, office=None, provider=None, price="90000.00") -> Contract:
        office = office or self.w.office_x
        provider = provider or self.w.org_a
        tender = Tender.objects.create(office=office, category=self.w.category, title=f"居家养老服务{next(_titles)}",
                                       budget_ceiling=Decimal("120000.00"), status=Tender.Status.AWARDED)
        bid = Bid.objects.create(tender=tender, organisation=provider, created_by=self.member(provider),
                                 price=Decimal(price), status=Bid.Status.AWARDED)
        contract = contract_services.contract_create_from_award(tender=tender, bid=bid)
        officer = self.officer(office)
        contract_services.contract_send_for_signature(actor=officer, contract_id=contract.pk)
        contract_services.contract_sign(actor=officer, contract_id=contract.pk, ip="10.0.0.1")
        return contract_services.contract_sign(actor=self.member(provider), contract_id=contract.pk, ip="10.0.0.2")

    def deliver(self, contract, milestone, *, reject_first=False):
        member, officer = self.member(contract.provider), self.officer(contract.office)
        contract_services.milestone_submit_evidence(actor=member, milestone_id=milestone.pk, report="服务记录已上传。")
        if reject_first:
            contract_services.milestone_reject(actor=officer, milestone_id=milestone.pk, reason="签到表缺页。")
            contract_services.milestone_submit_evidence(actor=member, milestone_id=milestone.pk, report="已补齐。")
        contract_services.milestone_accept(actor=officer, milestone_id=milestone.pk)

    def pay(self, contract, milestone):
        payment = Payment.objects.get(milestone=milestone)
        contract_services.payment_record_offline(actor=self.officer(contract.office), payment_id=payment.pk,
                                                 reference=f"ZZ{payment.pk:06d}")

    def completed(self, **kwargs) -> Contract:
        contract = self.active(**kwargs)
        for milestone in contract.milestones.order_by("sequence"):
            self.deliver(contract, milestone)
            self.pay(contract, milestone)
        contract.refresh_from_db()
        assert contract.status == Contract.Status.COMPLETED
        return contract

    def terminated(self, **kwargs) -> Contract:
        contract = self.active(**kwargs)
        head = self.w.head_x if contract.office_id == self.w.office_x.pk else self.w.operator
        contract_services.contract_terminate(actor=head, contract_id=contract.pk, reason="服务无法继续。")
        contract.refresh_from_db()
        return contract


@pytest.fixture
def make(world):
    return Maker(world)
