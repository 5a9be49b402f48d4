"""Working days follow the Chinese holiday calendar, 调休 included, and operators' overrides win."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from marketplace.models import WorkingDayOverride
from marketplace.workdays import add_working_days, is_working_day, working_days_between

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_national_day_and_swapped_sunday():
    assert is_working_day(dt.date(2025, 9, 28))  # a Sunday worked in exchange for the National Day holiday
    assert not is_working_day(dt.date(2025, 10, 3))


def test_five_working_days_span_the_national_day_holiday():
    start = dt.datetime(2025, 9, 29, 9, 0, tzinfo=SH)  # Monday before the 1–8 October holiday
    end = add_working_days(start, 5)
    # Counted after the start day: 30 Sep (1); 1–8 Oct holiday; 9 (2), 10 (3), Saturday 11 worked in
    # exchange (4); Sunday 12 rests; Monday 13 (5).
    assert end == dt.datetime(2025, 10, 13, 9, 0, tzinfo=SH)
    assert working_days_between(start, end) == 5


def test_operator_override_for_a_year_the_package_does_not_know():
    day = dt.date(2027, 1, 1)  # a Friday; chinese-calendar has no 2027 data yet
    assert is_working_day(day)  # unknown year: weekdays work
    WorkingDayOverride.objects.create(date=day, is_working_day=False, note="元旦")
    assert not is_working_day(day)
    start = dt.datetime(2026, 12, 31, 10, 0, tzinfo=SH)
    assert add_working_days(start, 1) == dt.datetime(2027, 1, 4, 10, 0, tzinfo=SH)
