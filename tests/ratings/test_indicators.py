"""Objective indicators from the contracts' own records, with the clock moved through a contract's year.

The default plan of a contract starting Monday 2 March 2026 has milestones due 19 June 2026, 11 November 2026
and 1 March 2027.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings

from bids.models import Objection, Tender
from contracts import services as contract_services
from contracts.models import Payment
from marketplace.models import StreetOffice
from ratings.tasks import reputation_recompute_all

from .conftest import SH, START

pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_provider_and_office_indicators_through_a_contract_year(world, make, django_capture_on_commit_callbacks):
    w = world
    with time_machine.travel(START, tick=False) as clock:
        contract = make.active()
        m1, m2, m3 = contract.milestones.order_by("sequence")
        assert (m1.due_on, m2.due_on, m3.due_on) == (dt.date(2026, 6, 19), dt.date(2026, 11, 11),
                                                      dt.date(2027, 3, 1))
        # Milestone 1: evidence on Monday 15 June (on time), accepted Wednesday 17 June (2 working days),
        # paid the next day.
        clock.move_to(at(2026, 6, 15, 10))
        contract_services.milestone_submit_evidence(actor=w.member_a, milestone_id=m1.pk, report="第一阶段服务记录。")
        clock.move_to(at(2026, 6, 17, 16))
        contract_services.milestone_accept(actor=w.procurement_x, milestone_id=m1.pk)
        clock.move_to(at(2026, 6, 18, 9))
        with django_capture_on_commit_callbacks(execute=True):  # a succeeded payment refreshes the office
            make.pay(contract, m1)
        office = StreetOffice.objects.get(pk=w.office_x.pk)
        assert office.indicators["payments"] == 1 and office.indicators["payment_days_median"] == 1
        # Milestone 2: evidence two days late, rejected once, resubmitted Monday 16 November, accepted Friday 20th.
        clock.move_to(at(2026, 11, 13, 10))
        contract_services.milestone_submit_evidence(actor=w.member_a, milestone_id=m2.pk, report="第二阶段。")
        contract_services.milestone_reject(actor=w.procurement_x, milestone_id=m2.pk, reason="缺少签到表。")
        clock.move_to(at(2026, 11, 16, 10))
        contract_services.milestone_submit_evidence(actor=w.member_a, milestone_id=m2.pk, report="已补齐签到表。")
        clock.move_to(at(2026, 11, 20, 15))
        contract_services.milestone_accept(actor=w.procurement_x, milestone_id=m2.pk)
        # 9 December: the payment waits for 13 working days: already late although unpaid.
        clock.move_to(at(2026, 12, 9, 9))
        reputation_recompute_all.apply().get()
        office.refresh_from_db()
        assert office.indicators["late_payments"] == 1 and office.indicators["payments_counted"] == 2
        # Paid on 10 December: 20 calendar days, 14 working days after acceptance: late.
        clock.move_to(at(2026, 12, 10, 9))
        make.pay(contract, m2)
        # Milestone 3 is never handed in; its due date passes.
        clock.move_to(at(2027, 3, 5, 9))
        reputation_recompute_all.apply().get()
    w.org_a.refresh_from_db()
    assert w.org_a.indicators == {
        "milestones_due": 3, "on_time": 1, "on_time_rate": 0.333,
        "milestones_accepted": 2, "first_time": 1, "first_time_rate": 0.5,
    }
    office.refresh_from_db()
    assert office.indicators["acceptance_working_days_median"] == 3.0  # median of 2 and 4
    assert office.indicators["acceptances"] == 2
    assert office.indicators["payment_days_median"] == 10.5  # median of 1 and 20 days
    assert office.indicators["late_payments"] == 1 and office.indicators["payments_counted"] == 2
    assert office.indicators["late_payment_rate"] == 0.5
    assert office.indicators["objections_upheld"] == 0
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 2


@override_settings(PAYMENT_LATE_WORKING_DAYS=20)
def test_the_late_payment_limit_is_a_setting_and_upheld_objections_count(world, make):
    w = world
    with time_machine.travel(START, tick=False) as clock:
        contract = make.active()
        m1 = contract.milestones.order_by("sequence").first()
        make.deliver(contract, m1)
        clock.move_to(START + dt.timedelta(days=21))  # 15 working days later
        make.pay(contract, m1)
        tender = Tender.objects.create(office=w.office_x, category=w.category, title="助餐服务",
                                       budget_ceiling=Decimal("50000.00"), status=Tender.Status.STANDSTILL)
        for status in (Objection.Status.UPHELD, Objection.Status.REJECTED, Objection.Status.UPHELD):
            Objection.objects.create(tender=tender, organisation=w.org_b, lodged_by=w.member_b, grounds="评分有误。",
                                     status=status)
        reputation_recompute_all.apply().get()
    indicators = StreetOffice.objects.get(pk=w.office_x.pk).indicators
    assert indicators["late_payments"] == 0 and indicators["payments_counted"] == 1
    assert indicators["late_after_working_days"] == 20
    assert indicators["objections_upheld"] == 2
    assert StreetOffice.objects.get(pk=w.office_y.pk).indicators["objections_upheld"] == 0


def test_indicators_are_on_the_public_pages(world, make, client):
    make.completed()
    org_page = client.get(f"/en/providers/{world.org_a.pk}/").content.decode()
    assert "Milestones delivered on time" in org_page and "100% <span" in org_page
    assert "Terminated contracts" in org_page
    office_page = client.get(f"/en/offices/{world.office_x.pk}/").content.decode()
    assert "Median working days from evidence to acceptance" in office_page
    assert "Objections upheld against its tenders" in office_page
