"""Working-day calendar and period arithmetic (民法典 第二百零一条至第二百零三条), shared by every app
that counts a time limit in working days (replies' reply deadlines, handling's legal time limits).

The holiday schedule is data: a ``HolidaySchedule`` lists the years it knows, the rest days of
those years that are not ordinary weekends (statutory holidays, including the weekdays inside a
holiday break) and the weekend days made working days (调休上班). For a year it does not know,
Saturdays and Sundays are rest days and every other day a working day, and any date computed from
such a year is marked provisional — never an error.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class HolidaySchedule:
    years: frozenset[int] = frozenset()
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def knows(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, d: date) -> bool:
        if d.year in self.years:
            if d in self.makeup_workdays:
                return True
            return d.weekday() < 5 and d not in self.holidays
        return d.weekday() < 5


@dataclass(frozen=True)
class ComputedDate:
    """A computed deadline; ``provisional_years`` lists the years the schedule lacked."""

    on: date
    provisional_years: tuple[int, ...] = field(default=())

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, or that month's last day when it has no such day."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = _cal.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def _missing(schedule: HolidaySchedule, days: list[date]) -> tuple[int, ...]:
    return tuple(sorted({d.year for d in days if not schedule.knows(d.year)}))


def next_working_day(d: date, schedule: HolidaySchedule) -> ComputedDate:
    """``d`` itself when it is a working day, else the first working day after it."""
    seen = [d]
    while not schedule.is_working_day(d):
        d += timedelta(days=1)
        seen.append(d)
    return ComputedDate(on=d, provisional_years=_missing(schedule, seen))


def month_period_end(start: date, months: int, schedule: HolidaySchedule) -> ComputedDate:
    """End of a period of ``months`` months beginning the day after ``start``.

    The day of ``start`` is not counted; the period ends on the corresponding day of the final month
    (or its last day); when that day is a rest day the period ends on the next working day.
    """
    return next_working_day(add_months(start, months), schedule)


def working_day_period_end(start: date, days: int, schedule: HolidaySchedule) -> ComputedDate:
    """End of a period of ``days`` working days counted from the day after ``start``."""
    if days < 1:
        raise ValueError("days must be at least 1")
    d, counted, seen = start, 0, []
    while counted < days:
        d += timedelta(days=1)
        seen.append(d)
        if schedule.is_working_day(d):
            counted += 1
    return ComputedDate(on=d, provisional_years=_missing(schedule, seen))


def working_days_between(start: date, end: date, schedule: HolidaySchedule) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    count, d = 0, start
    while d < end:
        d += timedelta(days=1)
        if schedule.is_working_day(d):
            count += 1
    return count
