"""Overdue milestones: evidence past its due date, and acceptance that waits more than the acceptance period in
working days (Chinese holidays and 调休 counted). Both are flagged on both parties' pages and reminded once."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from contracts import services
from contracts.models import Milestone
from contracts.selectors import acceptance_cutoff
from contracts.tasks import milestones_remind_overdue
from marketplace.models import AuditEvent
from tests.waiting import drain_tasks, wait_for

from .contract_helpers import MONDAY, SH, make_contract, sign


def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SH)


def _contract(world):
    """Active from Monday 2026-03-02; milestone 1 due Friday 13 March, milestone 2 due 30 April."""
    contract = make_contract(world)
    plan = [{"title": "入户评估", "due_on": dt.date(2026, 3, 13), "amount": Decimal("30000.00")},
            {"title": "中期服务", "due_on": dt.date(2026, 4, 30), "amount": Decimal("38000.00")},
            {"title": "终期评估", "due_on": dt.date(2027, 3, 1), "amount": Decimal("30000.00")}]
    services.contract_set_plan(actor=world.procurement_x, contract_id=contract.pk, starts_on=dt.date(2026, 3, 2),
                               ends_on=dt.date(2027, 3, 1), plan=plan)
    contract = sign(world, contract)
    return contract, list(contract.milestones.order_by("sequence"))


def _pages(client, user, contract) -> str:
    client.force_login(user)
    return "".join(client.get(url).content.decode() for url in (
        f"/en/dashboard/contracts/{contract.pk}/", "/en/dashboard/contracts/", "/en/dashboard/"))


@pytest.mark.django_db
def test_acceptance_cutoff_counts_working_days_across_may_day_and_its_weekend_shift():
    # Evidence of Thursday 30 April 2026: May 1–5 are holidays and Saturday 9 May is a working day, so the tenth
    # working day after it is Monday 18 May. On the 18th it is not late yet (the cutoff is the 30th itself); on the
    # 19th it is, and so would be evidence of the holidays, whose first working day after them is 6 May.
    assert acceptance_cutoff(_at("2026-05-18")) == dt.date(2026, 4, 30)
    assert acceptance_cutoff(_at("2026-05-19")) == dt.date(2026, 5, 6)


@pytest.mark.django_db
def test_late_evidence_is_flagged_for_both_parties_from_the_day_after_it_was_due(client, world):
    with time_machine.travel(MONDAY, tick=False) as clock:
        contract, (first, *_rest) = _contract(world)
        clock.move_to(_at("2026-03-13", 18))
        for user in (world.member_a, world.procurement_x):
            assert "Evidence overdue" not in _pages(client, user, contract)
        clock.move_to(_at("2026-03-14", 9))
        for user in (world.member_a, world.procurement_x, world.head_x):
            pages = _pages(client, user, contract)
            assert "Evidence overdue" in pages  # the work page and the provider's list of what is due
            assert "1 evidence overdue" in pages  # the contract list and the dashboard panel
        # Delivered, late: no longer flagged as late evidence; now the office has its acceptance period.
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="评估报告")
        assert "evidence overdue" not in _pages(client, world.procurement_x, contract).lower()


@pytest.mark.django_db
def test_late_acceptance_is_flagged_after_the_acceptance_period_and_the_dates_are_kept(client, world):
    with time_machine.travel(MONDAY, tick=False) as clock:
        contract, (first, second, _third) = _contract(world)
        clock.move_to(_at("2026-03-12"))
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="评估报告")
        services.milestone_accept(actor=world.procurement_x, milestone_id=first.pk)
        clock.move_to(_at("2026-04-30", 16))
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=second.pk, report="中期报告")
        submitted_at = Milestone.objects.get(pk=second.pk).submitted_at
        clock.move_to(_at("2026-05-18", 17))
        assert "Acceptance overdue" not in _pages(client, world.procurement_x, contract)
        clock.move_to(_at("2026-05-19", 9))
        for user in (world.procurement_x, world.member_a):
            pages = _pages(client, user, contract)
            assert "Acceptance overdue" in pages and "1 acceptance overdue" in pages
        assert services.milestones_remind_overdue() == 1  # the office's reminder; milestone 1 was on time
        services.milestone_accept(actor=world.procurement_x, milestone_id=second.pk)
        assert "acceptance overdue" not in _pages(client, world.member_a, contract).lower()
    second.refresh_from_db()
    # The dates ratings computes timeliness from are the real ones, untouched by flags and reminders.
    assert second.submitted_at == second.first_submitted_at == submitted_at
    assert second.decided_at.astimezone(SH).date() == dt.date(2026, 5, 19)


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_reminds_each_side_once_in_its_language(world, celery_worker):
    with time_machine.travel(MONDAY, tick=True) as clock:
        contract, (first, second, _third) = _contract(world)
        clock.move_to(_at("2026-04-30", 16))
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=second.pk, report="中期报告")
        world.member_a.language = "en"
        world.member_a.save()
        mail.outbox.clear()
        clock.move_to(_at("2026-05-19", 9))
        milestones_remind_overdue.delay()
        # Milestone 1 lacks evidence (to org A's member); milestone 2 waits for acceptance (to the office's
        # procurement officer and head; evaluators are no party to the contract).
        assert wait_for(lambda: len(mail.outbox) >= 3)
        milestones_remind_overdue.delay()
        drain_tasks()
        assert len(mail.outbox) == 3
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {world.member_a.email, world.procurement_x.email, world.head_x.email}
    provider = by_recipient[world.member_a.email]
    assert "Evidence for milestone 1" in provider.subject and "was due on 2026-03-13" in provider.body
    assert f"/en/dashboard/contracts/{contract.pk}/" in provider.body
    office = by_recipient[world.procurement_x.email]
    assert "2026-04-30" in office.body and f"/dashboard/contracts/{contract.pk}/" in office.body
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.submission_reminded_at and second.acceptance_reminded_at


@pytest.mark.django_db
def test_acceptance_cutoff_agrees_with_counting_working_days_for_each_day_around_national_day():
    from marketplace.workdays import working_days_between

    day = dt.date(2026, 9, 20)
    while day <= dt.date(2026, 10, 31):
        now = _at(day.isoformat())
        cutoff = acceptance_cutoff(now)
        # Evidence of the day before the cutoff has waited more than 10 working days; of the cutoff day, not.
        assert working_days_between(_at((cutoff - dt.timedelta(days=1)).isoformat()), now) > 10, day
        assert working_days_between(_at(cutoff.isoformat()), now) <= 10, day
        day += dt.timedelta(days=1)


@pytest.mark.django_db
def test_each_reminder_goes_once_and_a_resubmission_earns_its_own_acceptance_reminder(world):
    with time_machine.travel(MONDAY, tick=False) as clock:
        contract, (first, *_rest) = _contract(world)
        clock.move_to(_at("2026-03-16"))
        assert services.milestones_remind_overdue() == 1  # milestone 1's evidence is late
        assert services.milestones_remind_overdue() == 0
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="评估报告")
        clock.move_to(_at("2026-04-01"))
        assert services.milestones_remind_overdue() == 1  # the office's acceptance is late
        assert services.milestones_remind_overdue() == 0
        services.milestone_reject(actor=world.procurement_x, milestone_id=first.pk, reason="缺少签到表")
        assert services.milestones_remind_overdue() == 0  # late evidence again, but that reminder went already
        services.milestone_submit_evidence(actor=world.member_a, milestone_id=first.pk, report="补充签到表")
        clock.move_to(_at("2026-04-17"))
        assert services.milestones_remind_overdue() == 1  # the new submission waits too long: reminded again
    verbs = list(AuditEvent.objects.filter(object_id=str(first.pk), verb__startswith="milestone.remind")
                 .values_list("verb", flat=True).order_by("pk"))
    assert verbs == ["milestone.remind_evidence", "milestone.remind_acceptance", "milestone.remind_acceptance"]
