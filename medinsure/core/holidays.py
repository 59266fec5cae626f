"""The holiday schedule every app counts working days with, read through one function.

The rows (``replies.HolidayYear``/``HolidayDay``) belong to replies, which sits above the apps that also
count working days (handling). The core imports no app, so replies registers its reader here when Django
starts (``RepliesConfig.ready``) and the others call :func:`holiday_schedule`. With no reader registered
(replies not installed) every Saturday and Sunday is a rest day and every year is provisional.
"""

from __future__ import annotations

from collections.abc import Callable

from medinsure.rules.workdays import HolidaySchedule

_reader: Callable[[], HolidaySchedule] | None = None


def register_holiday_reader(reader: Callable[[], HolidaySchedule]) -> None:
    """Called once by the app that keeps the holiday rows."""
    global _reader
    _reader = reader


def holiday_schedule() -> HolidaySchedule:
    """The schedule as the database has it now (one query per table)."""
    return _reader() if _reader is not None else HolidaySchedule()
