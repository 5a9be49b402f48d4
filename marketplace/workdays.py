"""Working days on the Chinese public-holiday calendar, with 调休 (weekend days swapped into working days).

`chinese-calendar` knows the State Council's published years. Operators add `WorkingDayOverride`
rows for years it does not know yet; an override always wins. For a year neither knows, weekends are
rest days and weekdays are working days.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from .models import WorkingDayOverride


def _local_tz():
    return ZoneInfo(settings.TIME_ZONE)


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(
        WorkingDayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )


def _is_working(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return _is_working(day, _overrides(day, day))


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole working days strictly after `start`'s local date up to and including `end`'s local date."""
    first = timezone.localtime(start, _local_tz()).date()
    last = timezone.localtime(end, _local_tz()).date()
    if last <= first:
        return 0
    overrides = _overrides(first, last)
    days = (first + dt.timedelta(days=n) for n in range(1, (last - first).days + 1))
    return sum(1 for day in days if _is_working(day, overrides))


def add_working_days(start: dt.datetime, count: int) -> dt.datetime:
    """The same local clock time, `count` working days after `start` (a period that ends on a working day)."""
    local = timezone.localtime(start, _local_tz())
    # A generous window for the override lookup: holidays never stretch a week past twice its length.
    overrides = _overrides(local.date(), local.date() + dt.timedelta(days=count * 2 + 30))
    day = local.date()
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if _is_working(day, overrides):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)
