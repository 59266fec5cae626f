"""The pure rules: every row of the transition table, the papers check, working-day limits, overdue,
the chronic rounds and the figures."""

from datetime import date

import pytest

from handling.rules import figures as f
from handling.rules import workflow as w
from medinsure.rules.workdays import HolidaySchedule

ALL_STATUSES = (w.RECEIVED, w.RETURNED, w.ACCEPTED, w.APPROVED, w.REFUSED, w.FINISHED)
EXPECTED = {
    (w.RECEIVED, w.ACCEPT): w.ACCEPTED,
    (w.RECEIVED, w.RETURN): w.RETURNED,
    (w.RETURNED, w.ACCEPT): w.ACCEPTED,
    (w.ACCEPTED, w.APPROVE): w.APPROVED,
    (w.ACCEPTED, w.REFUSE): w.REFUSED,
    (w.APPROVED, w.FINISH): w.FINISHED,
    (w.REFUSED, w.FINISH): w.FINISHED,
}


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", w.ACTIONS)
def test_every_cell_of_the_transition_table(status, action):
    assert w.next_status(status, action) == EXPECTED.get((status, action))


def test_a_finished_application_moves_no_more():
    assert w.actions_from(w.FINISHED) == ()
    assert w.actions_from(w.RECEIVED) == (w.ACCEPT, w.RETURN)


def test_missing_papers_are_all_listed_at_once_in_the_catalogues_order():
    required = ["身份证", "医保卡", "发票", "病历"]
    assert w.missing_papers(required, ["发票"]) == ("身份证", "医保卡", "病历")
    assert w.missing_papers(required, required) == ()
    assert w.unknown_papers(required, ["身份证", "户口簿"]) == ("户口簿",)


# 2025: 1 October (Wednesday) to 8 October are holidays, Saturday 11 October is a working day
SCHEDULE = HolidaySchedule(
    years=frozenset({2025}),
    holidays=frozenset(date(2025, 10, d) for d in range(1, 9)),
    makeup_workdays=frozenset({date(2025, 10, 11)}),
)


def test_the_limit_counts_working_days_from_the_day_after_acceptance():
    assert w.due_on(date(2025, 9, 26), 1, SCHEDULE) == date(2025, 9, 29)  # Friday → Monday
    assert w.due_on(date(2025, 9, 29), 3, SCHEDULE) == date(2025, 10, 10)  # 30 Sep, then 9 and 10 Oct
    assert w.due_on(date(2025, 10, 9), 2, SCHEDULE) == date(2025, 10, 11)  # the make-up Saturday counts


@pytest.mark.parametrize(
    "status,due,finished,as_of,late",
    [
        (w.ACCEPTED, date(2025, 5, 9), None, date(2025, 5, 9), False),  # on the due day: not yet
        (w.ACCEPTED, date(2025, 5, 9), None, date(2025, 5, 10), True),
        (w.APPROVED, date(2025, 5, 9), None, date(2025, 5, 12), True),
        (w.FINISHED, date(2025, 5, 9), date(2025, 5, 9), date(2025, 6, 1), False),
        (w.FINISHED, date(2025, 5, 9), date(2025, 5, 10), date(2025, 6, 1), True),
        (w.RETURNED, date(2025, 5, 9), None, date(2025, 6, 1), False),  # waits for the resident
        (w.RECEIVED, None, None, date(2025, 6, 1), False),
    ],
)
def test_overdue(status, due, finished, as_of, late):
    assert w.is_overdue(status=status, due=due, finished_on=finished, as_of=as_of) is late


@pytest.mark.parametrize(
    "d,expected", [(date(2025, 1, 1), (2025, 1)), (date(2025, 6, 30), (2025, 1)), (date(2025, 7, 1), (2025, 2))]
)
def test_two_rounds_a_year(d, expected):
    assert w.round_of(d) == expected


@pytest.mark.parametrize("years,problem", [(None, "missing"), (0, "missing"), (1, None), (3, None), (4, "too_old")])
def test_records_of_the_last_three_years(years, problem):
    assert w.evidence_problem(years) == problem


def test_registration_period_and_tracking_number():
    assert w.registration_period(date(2025, 3, 1)) == (date(2025, 3, 1), date(2027, 2, 28))
    assert w.registration_period(date(2024, 2, 29)) == (date(2024, 2, 29), date(2026, 2, 27))
    assert str(w.Tracking(date(2025, 3, 1), 1234, 7)) == "B2503012340007"


def test_figures_per_key_and_the_on_time_rate():
    rows = [
        f.Row("甲", w.FINISHED, date(2025, 5, 9), date(2025, 5, 9)),
        f.Row("甲", w.FINISHED, date(2025, 5, 9), date(2025, 5, 12)),
        f.Row("甲", w.ACCEPTED, date(2025, 5, 9), None),
        f.Row("乙", w.RETURNED, None, None),
        f.Row("乙", w.FINISHED, date(2025, 6, 9), date(2025, 6, 1)),
    ]
    a, b = f.figures(rows, as_of=date(2025, 5, 20))
    assert (a.key, a.received, a.open, a.finished, a.finished_on_time, a.overdue) == ("甲", 3, 1, 2, 1, 2)
    assert str(a.on_time_rate) == "50.0"
    assert (b.returned, b.on_time_rate) == (1, 100)
    t = f.total([a, b])
    assert (t.received, t.finished, t.finished_on_time, str(t.on_time_rate)) == (5, 3, 2, "66.7")
    assert f.figures([], as_of=date(2025, 5, 20)) == []
    assert f.Figures("x", 1, 0, 1, 0, 0, 0).on_time_rate is None
