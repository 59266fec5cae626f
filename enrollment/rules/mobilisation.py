"""Mobilisation task (参保动员任务) statuses and outcome transitions.

A task is open until someone records an outcome. Outcomes that need a follow-up (promised to pay,
cannot be reached) keep it in follow-up; the others close it. The nightly job closes any task whose
person has paid (outcome ``paid``, recorded by the system). A closed task takes no new outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

# statuses
OPEN = "open"  # 待处理 (not yet handed to a worker)
ASSIGNED = "assigned"  # 已分派
FOLLOW_UP = "follow_up"  # 跟进中
CLOSED = "closed"  # 已办结

STATUSES = (OPEN, ASSIGNED, FOLLOW_UP, CLOSED)

# outcomes
ENROLLED = "enrolled"
PROMISED = "promised"
REFUSED = "refused"
INSURED_ELSEWHERE = "insured_elsewhere"
EMPLOYEE_INSURED = "employee_insured"
OUTSIDE_CITY = "outside_city"
DECEASED = "deceased"
UNREACHABLE = "unreachable"
WRONG_DATA = "wrong_data"
PAID = "paid"  # system only: a payment arrived

WORKER_OUTCOMES = (
    ENROLLED,
    PROMISED,
    REFUSED,
    INSURED_ELSEWHERE,
    EMPLOYEE_INSURED,
    OUTSIDE_CITY,
    DECEASED,
    UNREACHABLE,
    WRONG_DATA,
)
FOLLOW_UP_OUTCOMES = frozenset({PROMISED, UNREACHABLE})
# outcomes that need text: refused needs its reason, wrong data says what is wrong
NOTE_REQUIRED = frozenset({REFUSED, WRONG_DATA})

# reasons a person refuses (seed 000: misunderstanding the policy is the named hard case)
REFUSAL_REASONS = ("policy_misunderstood", "cannot_afford", "feels_healthy", "commercial_insurance", "other")


class TransitionError(ValueError):
    """``code``: closed | unknown_outcome | note_required | reason_required | system_only."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class OutcomeInput:
    outcome: str
    note: str = ""
    refusal_reason: str = ""
    by_system: bool = False


@dataclass(frozen=True)
class Transition:
    status: str
    outcome: str
    closed: bool


def next_status(current: str, given: OutcomeInput) -> Transition:
    if current not in STATUSES:
        raise TransitionError("unknown_status")
    if given.outcome == PAID:
        if not given.by_system:
            raise TransitionError("system_only")
        # a payment closes a task whatever its state (idempotent on a closed one)
        return Transition(CLOSED, PAID, True)
    if given.outcome not in WORKER_OUTCOMES:
        raise TransitionError("unknown_outcome")
    if current == CLOSED:
        raise TransitionError("closed")
    if given.outcome == REFUSED and given.refusal_reason not in REFUSAL_REASONS:
        raise TransitionError("reason_required")
    if given.outcome in NOTE_REQUIRED and not given.note.strip():
        if not (given.outcome == REFUSED and given.refusal_reason != "other"):
            raise TransitionError("note_required")
    if given.outcome in FOLLOW_UP_OUTCOMES:
        return Transition(FOLLOW_UP, given.outcome, False)
    return Transition(CLOSED, given.outcome, True)


def should_have_task(*, insured_this_year: bool, deceased: bool, moved_out: bool, other_cover: bool) -> bool:
    """Who the campaign lists as to-do: alive, still registered here, not insured anywhere."""
    return not (insured_this_year or deceased or moved_out or other_cover)


def gap_kind(*, insured_last_year: bool) -> str:
    """未参保 (never insured here) or 断保 (insured last year, not this year)."""
    return "lapsed" if insured_last_year else "uninsured"
