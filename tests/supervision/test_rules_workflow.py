from datetime import date

import pytest

from supervision.rules.workflow import (
    TRANSITIONS,
    AgreementAction,
    AgreementError,
    AgreementPeriod,
    AgreementStatus,
    CaseStatus,
    TransitionError,
    TransitionRequest,
    agreement_status_on,
    apply_agreement_action,
    check_transition,
)

S = CaseStatus
ALLOWED = {
    (S.REGISTERED, S.INVESTIGATING),
    (S.INVESTIGATING, S.DECIDED),
    (S.INVESTIGATING, S.TRANSFERRED),
    (S.INVESTIGATING, S.CLOSED),
    (S.DECIDED, S.EXECUTED),
    (S.DECIDED, S.TRANSFERRED),
    (S.EXECUTED, S.CLOSED),
    (S.TRANSFERRED, S.CLOSED),
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_only_listed_transitions_exist(current, target):
    check = check_transition(TransitionRequest(current, target, has_decision=True, note="理由"))
    assert check.allowed == ((current, target) in ALLOWED)
    if not check.allowed:
        assert check.error == TransitionError.NOT_ALLOWED


@pytest.mark.parametrize(
    "current,target",
    [
        (S.REGISTERED, S.DECIDED),  # skips the investigation
        (S.REGISTERED, S.CLOSED),
        (S.INVESTIGATING, S.EXECUTED),
        (S.DECIDED, S.CLOSED),  # skips execution
        (S.CLOSED, S.REGISTERED),  # no way back
        (S.EXECUTED, S.DECIDED),
    ],
)
def test_skipped_and_backward_transitions_refused(current, target):
    assert not check_transition(TransitionRequest(current, target, True, "x")).allowed


def test_table_matches_the_allowed_set():
    assert {(a, b) for a, bs in TRANSITIONS.items() for b in bs} == ALLOWED


@pytest.mark.parametrize(
    "current,target,has_decision,note,error",
    [
        (S.INVESTIGATING, S.DECIDED, False, "", TransitionError.DECISION_REQUIRED),
        (S.DECIDED, S.EXECUTED, False, "", TransitionError.DECISION_REQUIRED),
        (S.INVESTIGATING, S.CLOSED, False, "  ", TransitionError.REASON_REQUIRED),
        (S.INVESTIGATING, S.TRANSFERRED, False, "", TransitionError.REASON_REQUIRED),
        (S.INVESTIGATING, S.DECIDED, True, "", None),
        (S.EXECUTED, S.CLOSED, True, "", None),  # closing after execution needs no reason
        (S.INVESTIGATING, S.CLOSED, False, "未发现违规", None),
    ],
)
def test_transition_requirements(current, target, has_decision, note, error):
    check = check_transition(TransitionRequest(current, target, has_decision, note))
    assert check.error == error
    assert check.allowed == (error is None)


A, Ac = AgreementStatus, AgreementAction
D1, D2 = date(2024, 3, 1), date(2024, 8, 31)


@pytest.mark.parametrize(
    "current,action,start,end,status,error",
    [
        (A.ACTIVE, Ac.NONE, None, None, A.ACTIVE, None),
        (A.ACTIVE, Ac.SUSPEND, D1, D2, A.SUSPENDED, None),
        (A.ACTIVE, Ac.SUSPEND, D1, None, A.ACTIVE, AgreementError.PERIOD_REQUIRED),
        (A.ACTIVE, Ac.SUSPEND, D2, D1, A.ACTIVE, AgreementError.PERIOD_INVALID),
        (A.ACTIVE, Ac.TERMINATE, D1, None, A.TERMINATED, None),
        (A.SUSPENDED, Ac.TERMINATE, D1, None, A.TERMINATED, None),
        (A.TERMINATED, Ac.SUSPEND, D1, D2, A.TERMINATED, AgreementError.TERMINATED),
        (A.TERMINATED, Ac.TERMINATE, D1, None, A.TERMINATED, AgreementError.TERMINATED),
        (A.SUSPENDED, Ac.RESTORE, None, None, A.ACTIVE, None),
        (A.ACTIVE, Ac.RESTORE, None, None, A.ACTIVE, AgreementError.NOT_SUSPENDED),
    ],
)
def test_agreement_actions(current, action, start, end, status, error):
    change = apply_agreement_action(current, action, start=start, end=end)
    assert (change.status, change.error) == (status, error)


@pytest.mark.parametrize(
    "day,status",
    [
        (date(2024, 2, 28), A.ACTIVE),
        (date(2024, 3, 1), A.SUSPENDED),
        (date(2024, 8, 31), A.SUSPENDED),
        (date(2024, 9, 1), A.ACTIVE),  # the suspension ended by itself
        (date(2024, 12, 1), A.TERMINATED),
        (date(2030, 1, 1), A.TERMINATED),
    ],
)
def test_agreement_status_on_a_day(day, status):
    history = (
        AgreementPeriod(A.ACTIVE, date(2020, 1, 1)),
        AgreementPeriod(A.SUSPENDED, D1, D2),
        AgreementPeriod(A.TERMINATED, date(2024, 12, 1)),
    )
    assert agreement_status_on(history, day) == status
