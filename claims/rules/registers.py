"""Rules of the registers (慢特病备案, 异地就医备案). Pure."""

from __future__ import annotations

from datetime import date

from medinsure.rules.workdays import HolidaySchedule, working_day_period_end

# seed 003 二(二)3①: 因急诊、抢救等就近到非定点医疗机构就医的, 要在入院后5个工作日内 … 备案
EMERGENCY_FILING_WORKDAYS = 5


def emergency_filing_deadline(admitted_on: date, schedule: HolidaySchedule) -> date:
    """The last day an emergency at a non-designated hospital may be filed."""
    return working_day_period_end(admitted_on, EMERGENCY_FILING_WORKDAYS, schedule).on


def periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Two periods (an open end is None) share a day."""
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)
