"""The outcome tables of a mobilisation task (enrollment.rules.mobilisation): pure, no database."""

import pytest

from enrollment.rules import mobilisation as m

WORKER_OPEN = (m.OPEN, m.ASSIGNED, m.FOLLOW_UP)


def _given(outcome, *, note="", reason="", system=False):
    return m.OutcomeInput(outcome, note=note, refusal_reason=reason, by_system=system)


# every (status, outcome) pair with what the tables say: the status it leads to, or the refusal and its field
CASES = [
    *[(s, o, m.FOLLOW_UP, None, "") for s in WORKER_OPEN for o in (m.PROMISED, m.UNREACHABLE)],
    *[
        (s, o, m.CLOSED, None, "")
        for s in WORKER_OPEN
        for o in (m.ENROLLED, m.INSURED_ELSEWHERE, m.EMPLOYEE_INSURED, m.OUTSIDE_CITY, m.DECEASED)
    ],
    *[(s, o, None, m.OutcomeError.CLOSED, "outcome") for s in (m.CLOSED,) for o in m.WORKER_OUTCOMES],
]


@pytest.mark.parametrize(("current", "outcome", "status", "error", "field"), CASES)
def test_the_table_of_outcomes(current, outcome, status, error, field):
    given = _given(outcome, note="说明", reason="policy_misunderstood")
    check = m.check_transition(current, given)
    assert (check.ok, check.error, check.field) == (error is None, error, field)
    if status:
        assert check.transition == m.Transition(status, outcome, status == m.CLOSED)


@pytest.mark.parametrize(
    ("current", "given", "error", "field"),
    [
        ("weird", _given(m.ENROLLED), m.OutcomeError.UNKNOWN_STATUS, "outcome"),
        (m.OPEN, _given("bogus"), m.OutcomeError.UNKNOWN_OUTCOME, "outcome"),
        (m.CLOSED, _given("bogus"), m.OutcomeError.UNKNOWN_OUTCOME, "outcome"),
        (m.OPEN, _given(m.PAID), m.OutcomeError.SYSTEM_ONLY, "outcome"),
        (m.CLOSED, _given(m.PAID), m.OutcomeError.SYSTEM_ONLY, "outcome"),
        (m.OPEN, _given(m.REFUSED), m.OutcomeError.REASON_REQUIRED, "refusal_reason"),
        (m.OPEN, _given(m.REFUSED, reason="no such reason"), m.OutcomeError.REASON_REQUIRED, "refusal_reason"),
        (m.OPEN, _given(m.REFUSED, reason="other", note=" "), m.OutcomeError.NOTE_REQUIRED, "note"),
        (m.ASSIGNED, _given(m.WRONG_DATA), m.OutcomeError.NOTE_REQUIRED, "note"),
        (m.CLOSED, _given(m.REFUSED), m.OutcomeError.CLOSED, "outcome"),
    ],
)
def test_refusals_name_the_field(current, given, error, field):
    check = m.check_transition(current, given)
    assert (check.ok, check.error, check.field, check.transition) == (False, error, field, None)
    with pytest.raises(m.TransitionError) as exc:
        m.next_status(current, given)
    assert exc.value.code == error


@pytest.mark.parametrize(
    ("given", "status"),
    [
        (_given(m.REFUSED, reason="cannot_afford"), m.CLOSED),  # a named reason needs no note
        (_given(m.REFUSED, reason="other", note="嫌贵"), m.CLOSED),
        (_given(m.WRONG_DATA, note="身份证号有误"), m.CLOSED),
    ],
)
def test_what_an_outcome_needs(given, status):
    assert m.check_transition(m.ASSIGNED, given).transition.status == status


@pytest.mark.parametrize("current", m.STATUSES)
def test_a_payment_recorded_by_the_system_closes_any_task(current):
    check = m.check_transition(current, _given(m.PAID, system=True))
    assert check.ok and check.transition == m.Transition(m.CLOSED, m.PAID, True)


def test_the_tables_cover_every_status_and_outcome():
    assert set(m.TRANSITIONS) == set(m.STATUSES)
    assert set(m.OUTCOMES) == {*m.WORKER_OUTCOMES, m.PAID}
    assert all(taken <= set(m.OUTCOMES) for taken in m.TRANSITIONS.values())
    assert {o for o, r in m.OUTCOMES.items() if r.status == m.FOLLOW_UP} == m.FOLLOW_UP_OUTCOMES
