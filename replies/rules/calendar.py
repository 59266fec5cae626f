"""The working-day calendar replies counts its deadlines with: the shared pure rule
``medinsure.rules.workdays`` (handling counts its legal time limits with the same one)."""

from medinsure.rules.workdays import (
    ComputedDate,
    HolidaySchedule,
    add_months,
    month_period_end,
    next_working_day,
    working_day_period_end,
    working_days_between,
)

__all__ = [
    "ComputedDate",
    "HolidaySchedule",
    "add_months",
    "month_period_end",
    "next_working_day",
    "working_day_period_end",
    "working_days_between",
]
