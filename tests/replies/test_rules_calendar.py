"""The due-date function, table-driven: month ends, leap years, weekends, holidays, make-up days."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from replies.rules.calendar import (
    HolidaySchedule,
    add_months,
    next_working_day,
    working_day_period_end,
    working_days_between,
)
from replies.rules.deadlines import feedback_due, publish_due, reply_due, return_due, second_reply_due


def package_schedule(years=range(2023, 2027)) -> HolidaySchedule:
    years = frozenset(years)
    return HolidaySchedule(
        years=years,
        holidays=frozenset(d for d in chinese_calendar.holidays if d.year in years),
        makeup_workdays=frozenset(d for d in chinese_calendar.workdays if d.year in years),
    )


SCHEDULE = package_schedule()
D = date.fromisoformat


@pytest.mark.parametrize(
    "start, months, expected",
    [
        ("2025-03-10", 3, "2025-06-10"),
        ("2025-01-31", 1, "2025-02-28"),  # no 31 February: month end
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2023-11-30", 3, "2024-02-29"),  # leap year, month end
        ("2024-11-29", 3, "2025-02-28"),  # 29 February missing in 2025
        ("2024-02-29", 12, "2025-02-28"),
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-10-31", 3, "2026-01-31"),  # over the year end
        ("2025-12-15", 0, "2025-12-15"),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    "assigned, urgent, expected, provisional",
    [
        # the domain page's own examples
        ("2025-03-10", False, "2025-06-10", False),
        ("2025-01-31", True, "2025-02-28", False),
        ("2026-11-24", False, "2027-02-24", True),  # 2027 not in the schedule: provisional
        # month ends and leap years
        ("2023-11-30", False, "2024-02-29", False),  # Thursday 29 February 2024
        ("2023-10-31", True, "2023-11-30", False),
        ("2024-11-29", False, "2025-02-28", False),
        # weekend: Sunday 8 June 2025 -> Monday 9 June
        ("2025-03-08", False, "2025-06-09", False),
        # urgent landing on Saturday 12 April 2025 -> Monday 14 April
        ("2025-03-12", True, "2025-04-14", False),
        # holiday: 1 October 2025 (National Day, 1-8 October) -> Thursday 9 October
        ("2025-07-01", False, "2025-10-09", False),
        # a Wednesday inside the National Day holiday is not a working day
        ("2025-07-08", False, "2025-10-09", False),
        # make-up working day: Saturday 11 October 2025 is a working day
        ("2025-07-11", False, "2025-10-11", False),
        # make-up working day: Sunday 28 September 2025
        ("2025-06-28", False, "2025-09-28", False),
        # month end on a make-up Saturday: 28 February 2026
        ("2025-11-30", False, "2026-02-28", False),
        # Spring Festival 2026 (15-23 February) -> Tuesday 24 February
        ("2025-11-17", False, "2026-02-24", False),
        # New Year 2026 (1-3 January) -> Sunday 4 January is a make-up working day
        ("2025-12-01", True, "2026-01-04", False),
        # Labour Day 2026 (1-5 May) -> Wednesday 6 May
        ("2026-02-01", False, "2026-05-06", False),
        # known year, Wednesday 30 December 2026: not provisional
        ("2026-09-30", False, "2026-12-30", False),
        # unknown year: Saturday 2 January 2027 -> Monday 4 January 2027, provisional
        ("2026-10-02", False, "2027-01-04", True),
    ],
)
def test_reply_due(assigned, urgent, expected, provisional):
    due = reply_due(D(assigned), urgent=urgent, schedule=SCHEDULE)
    assert due.on == D(expected)
    assert due.provisional is provisional
    if provisional:
        assert due.provisional_years == (2027,)


def test_hard_matters_get_six_months():
    assert reply_due(D("2025-03-10"), urgent=False, hard=True, schedule=SCHEDULE).on == D("2025-09-10")


def test_provisional_date_is_recomputed_once_the_year_is_entered():
    provisional = reply_due(D("2026-11-24"), urgent=False, schedule=SCHEDULE)
    with_2027 = HolidaySchedule(
        years=SCHEDULE.years | {2027},
        holidays=SCHEDULE.holidays | {D("2027-02-24")},  # pretend the schedule makes it a rest day
        makeup_workdays=SCHEDULE.makeup_workdays,
    )
    final = reply_due(D("2026-11-24"), urgent=False, schedule=with_2027)
    assert provisional.on == D("2027-02-24") and provisional.provisional
    assert final.on == D("2027-02-25") and not final.provisional


@pytest.mark.parametrize("year", [1999, 2027, 2035, 2100])
def test_never_crashes_for_a_missing_year(year):
    due = reply_due(date(year, 5, 30), urgent=False, schedule=SCHEDULE)
    assert due.provisional and due.on.weekday() < 5


def test_empty_schedule_counts_weekends_only():
    due = reply_due(D("2025-07-01"), urgent=False, schedule=HolidaySchedule())
    assert due.on == D("2025-10-01") and due.provisional_years == (2025,)


@pytest.mark.parametrize(
    "d, expected",
    [
        ("2025-10-01", "2025-10-09"),
        ("2025-10-11", "2025-10-11"),
        ("2025-10-12", "2025-10-13"),
        ("2026-02-14", "2026-02-14"),  # make-up Saturday
        ("2026-02-15", "2026-02-24"),
    ],
)
def test_next_working_day(d, expected):
    assert next_working_day(D(d), SCHEDULE).on == D(expected)


@pytest.mark.parametrize(
    "start, days, expected",
    [
        # 15 working days from Friday 26 September 2025 across National Day, with two make-up days
        ("2025-09-26", 15, "2025-10-23"),
        ("2025-03-10", 10, "2025-03-24"),
        ("2025-04-30", 1, "2025-05-06"),  # Labour Day 1-5 May 2025
        ("2025-04-25", 1, "2025-04-27"),  # Sunday 27 April 2025 is a make-up working day
    ],
)
def test_working_day_periods(start, days, expected):
    assert working_day_period_end(D(start), days, SCHEDULE).on == D(expected)


def test_other_clocks():
    assert second_reply_due(D("2025-09-01"), schedule=SCHEDULE).on == D("2025-10-09")
    assert feedback_due(D("2025-09-26"), schedule=SCHEDULE).on == D("2025-10-23")
    assert return_due(D("2025-03-10"), schedule=SCHEDULE).on == D("2025-03-24")
    assert publish_due(D("2025-03-10"), schedule=SCHEDULE).on == D("2025-04-08")  # 清明 4 April
    assert working_days_between(D("2025-09-26"), D("2025-10-23"), SCHEDULE) == 15


def test_working_day_period_rejects_zero():
    with pytest.raises(ValueError):
        working_day_period_end(D("2025-01-01"), 0, SCHEDULE)


@given(st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31)), st.booleans())
def test_due_date_is_a_working_day_on_or_just_after_the_nominal_day(assigned, urgent):
    due = reply_due(assigned, urgent=urgent, schedule=SCHEDULE)
    nominal = add_months(assigned, 1 if urgent else 3)
    assert nominal <= due.on <= nominal + timedelta(days=12)
    assert SCHEDULE.is_working_day(due.on)
    assert due.provisional == (due.on.year > 2026 or nominal.year > 2026)


@pytest.mark.parametrize(
    "start, round_, urgent, hard, co, expected",
    [
        ("2025-03-10", 1, False, False, False, "2025-06-10"),
        ("2025-03-10", 1, True, False, False, "2025-04-10"),
        ("2025-03-10", 1, False, True, False, "2025-09-10"),
        ("2025-03-10", 1, False, False, True, "2025-04-10"),  # co-handler's opinion to the lead: 1 month
        ("2025-09-01", 2, False, False, False, "2025-10-09"),  # second reply, across National Day
    ],
)
def test_case_due(start, round_, urgent, hard, co, expected):
    from replies.rules.deadlines import case_due

    assert case_due(D(start), round_=round_, urgent=urgent, hard=hard, co_handler=co, schedule=SCHEDULE).on == D(
        expected
    )


def test_policy_from_settings_data():
    from replies.rules.deadlines import policy_from, reply_due

    two_months = policy_from({"reply_months": 2, "reminder_days": [10, 3]})
    assert two_months.reminder_days == (10, 3)
    assert reply_due(D("2025-03-10"), urgent=False, schedule=SCHEDULE, policy=two_months).on == D(
        "2025-05-12"
    )  # 10 May is a Saturday
    with pytest.raises(ValueError):
        policy_from({"reply_month": 2})
