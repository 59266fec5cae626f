from datetime import date

import pytest

from enrollment.rules import mobilisation as m
from enrollment.rules.progress import rank_rows, rate
from enrollment.rules.reminders import ReminderFacts, current_round, eligibility, retry_delay_seconds


@pytest.mark.parametrize(
    "current, outcome, note, reason, status, closed",
    [
        (m.OPEN, m.ENROLLED, "", "", m.CLOSED, True),
        (m.ASSIGNED, m.PROMISED, "", "", m.FOLLOW_UP, False),
        (m.FOLLOW_UP, m.UNREACHABLE, "", "", m.FOLLOW_UP, False),
        (m.FOLLOW_UP, m.ENROLLED, "", "", m.CLOSED, True),
        (m.ASSIGNED, m.REFUSED, "", "policy_misunderstood", m.CLOSED, True),
        (m.ASSIGNED, m.REFUSED, "嫌贵", "other", m.CLOSED, True),
        (m.ASSIGNED, m.INSURED_ELSEWHERE, "", "", m.CLOSED, True),
        (m.ASSIGNED, m.EMPLOYEE_INSURED, "", "", m.CLOSED, True),
        (m.ASSIGNED, m.OUTSIDE_CITY, "", "", m.CLOSED, True),
        (m.ASSIGNED, m.DECEASED, "", "", m.CLOSED, True),
        (m.ASSIGNED, m.WRONG_DATA, "身份证号有误", "", m.CLOSED, True),
    ],
)
def test_transitions(current, outcome, note, reason, status, closed):
    t = m.next_status(current, m.OutcomeInput(outcome, note, reason))
    assert (t.status, t.outcome, t.closed) == (status, outcome, closed)


@pytest.mark.parametrize(
    "current, given, code",
    [
        (m.CLOSED, m.OutcomeInput(m.ENROLLED), "closed"),
        (m.OPEN, m.OutcomeInput("bogus"), "unknown_outcome"),
        (m.OPEN, m.OutcomeInput(m.REFUSED), "reason_required"),
        (m.OPEN, m.OutcomeInput(m.REFUSED, refusal_reason="other"), "note_required"),
        (m.OPEN, m.OutcomeInput(m.WRONG_DATA, note="  "), "note_required"),
        (m.OPEN, m.OutcomeInput(m.PAID), "system_only"),
        ("weird", m.OutcomeInput(m.ENROLLED), "unknown_status"),
    ],
)
def test_refused_transitions(current, given, code):
    with pytest.raises(m.TransitionError) as exc:
        m.next_status(current, given)
    assert exc.value.code == code


@pytest.mark.parametrize("current", m.STATUSES)
def test_payment_closes_from_any_status(current):
    t = m.next_status(current, m.OutcomeInput(m.PAID, by_system=True))
    assert (t.status, t.closed) == (m.CLOSED, True)


@pytest.mark.parametrize(
    "insured, deceased, moved, other, expected",
    [
        (False, False, False, False, True),
        (True, False, False, False, False),
        (False, True, False, False, False),
        (False, False, True, False, False),
        (False, False, False, True, False),
    ],
)
def test_should_have_task(insured, deceased, moved, other, expected):
    assert (
        m.should_have_task(insured_this_year=insured, deceased=deceased, moved_out=moved, other_cover=other) is expected
    )


START, END = date(2024, 9, 1), date(2024, 12, 31)


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2024, 8, 31), None),
        (date(2024, 9, 1), "2024-R1"),
        (date(2024, 10, 1), "2024-R2"),
        (date(2024, 12, 20), "2024-R4"),
        (date(2025, 1, 1), None),
    ],
)
def test_rounds(as_of, expected):
    assert current_round(as_of, collection_start=START, collection_end=END, round_days=(0, 30, 60, 105)) == expected


OK = dict(has_phone=True, paid=False, deceased=False, moved_out=False, other_cover=False, opted_out=False)


@pytest.mark.parametrize(
    "change, round_id, reason",
    [
        ({}, "2024-R1", "ok"),
        ({}, None, "no_round"),
        ({"paid": True}, "2024-R1", "paid"),
        ({"deceased": True}, "2024-R1", "deceased"),
        ({"moved_out": True}, "2024-R1", "moved_out"),
        ({"other_cover": True}, "2024-R1", "other_cover"),
        ({"opted_out": True}, "2024-R1", "opted_out"),
        ({"has_phone": False}, "2024-R1", "no_phone"),
        ({"already_sent_rounds": frozenset({"2024-R1"})}, "2024-R1", "already_sent"),
        ({"already_sent_rounds": frozenset({"2024-R1"})}, "2024-R2", "ok"),
    ],
)
def test_reminder_eligibility(change, round_id, reason):
    d = eligibility(ReminderFacts(**{**OK, **change}), round_id)
    assert d.reason == reason and d.eligible is (reason == "ok")


@pytest.mark.parametrize("attempt, delay", [(1, 60), (2, 120), (3, 240), (10, 3600)])
def test_retry_delay(attempt, delay):
    assert retry_delay_seconds(attempt) == delay


def test_rank_competition_style():
    rows = rank_rows([("3", "C", 100, 90, 80), ("1", "A", 100, 95, 95), ("2", "B", 200, 180, 170), ("4", "D", 0, 5, 0)])
    assert [(r.division_code, r.rank, str(r.rate), r.change) for r in rows] == [
        ("1", 1, "0.9500", 0),
        ("2", 2, "0.9000", 10),
        ("3", 2, "0.9000", 10),
        ("4", 4, "0.0000", 5),
    ]
    assert str(rate(2, 3)) == "0.6667"
