"""Mobilisation task (参保动员任务) statuses and outcome transitions.

A task is open until someone records an outcome. Outcomes that need a follow-up (promised to pay,
cannot be reached) keep it in follow-up; the others close it. The nightly job closes any task whose
person has paid (outcome ``paid``, recorded by the system). A closed task takes no new outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
# reasons a person refuses (seed 000: misunderstanding the policy is the named hard case)
REFUSAL_REASONS = ("policy_misunderstood", "cannot_afford", "feels_healthy", "commercial_insurance", "other")


@dataclass(frozen=True, slots=True)
class OutcomeRule:
    """What an outcome does: the status it leaves the task in, and what it needs.

    ``note``: "always" (the note says what happened), "when_other" (only with the refusal reason
    "other"), or "" (never); ``reason``: a refusal reason from REFUSAL_REASONS is required;
    ``system``: only the system records it (a payment arrived)."""

    status: str
    note: str = ""
    reason: bool = False
    system: bool = False


# The outcome table: each outcome and the status it leads to.
OUTCOMES: dict[str, OutcomeRule] = {
    ENROLLED: OutcomeRule(CLOSED),
    PROMISED: OutcomeRule(FOLLOW_UP),
    REFUSED: OutcomeRule(CLOSED, note="when_other", reason=True),
    INSURED_ELSEWHERE: OutcomeRule(CLOSED),
    EMPLOYEE_INSURED: OutcomeRule(CLOSED),
    OUTSIDE_CITY: OutcomeRule(CLOSED),
    DECEASED: OutcomeRule(CLOSED),
    UNREACHABLE: OutcomeRule(FOLLOW_UP),
    WRONG_DATA: OutcomeRule(CLOSED, note="always"),
    PAID: OutcomeRule(CLOSED, system=True),
}

# The transition table: the outcomes a task in each status takes. A closed task takes only a payment
# (idempotent: the nightly sync may see the same payment again).
_ALL = frozenset(OUTCOMES)
TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: _ALL,
    ASSIGNED: _ALL,
    FOLLOW_UP: _ALL,
    CLOSED: frozenset({PAID}),
}

FOLLOW_UP_OUTCOMES = frozenset(o for o, r in OUTCOMES.items() if r.status == FOLLOW_UP)
# outcomes that need text: refused needs its reason, wrong data says what is wrong
NOTE_REQUIRED = frozenset(o for o, r in OUTCOMES.items() if r.note)


class OutcomeError(StrEnum):
    """Why an outcome is refused (the service turns the code into a translated message)."""

    UNKNOWN_STATUS = "unknown_status"
    UNKNOWN_OUTCOME = "unknown_outcome"
    SYSTEM_ONLY = "system_only"
    CLOSED = "closed"
    REASON_REQUIRED = "reason_required"
    NOTE_REQUIRED = "note_required"


class TransitionError(ValueError):
    """``code``: an OutcomeError (closed | unknown_outcome | note_required | reason_required | system_only |
    unknown_status)."""

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


@dataclass(frozen=True, slots=True)
class TransitionCheck:
    """The answer of ``check_transition``: the transition, or the error and the input field at fault."""

    ok: bool
    transition: Transition | None = None
    error: OutcomeError | None = None
    field: str = ""


def check_transition(current: str, given: OutcomeInput) -> TransitionCheck:
    """Look the outcome up in the tables: may a task in status ``current`` take it, with what it needs?"""
    if current not in TRANSITIONS:
        return TransitionCheck(False, error=OutcomeError.UNKNOWN_STATUS, field="outcome")
    rule = OUTCOMES.get(given.outcome)
    if rule is None:
        return TransitionCheck(False, error=OutcomeError.UNKNOWN_OUTCOME, field="outcome")
    if rule.system and not given.by_system:
        return TransitionCheck(False, error=OutcomeError.SYSTEM_ONLY, field="outcome")
    if given.outcome not in TRANSITIONS[current]:
        return TransitionCheck(False, error=OutcomeError.CLOSED, field="outcome")
    if rule.reason and given.refusal_reason not in REFUSAL_REASONS:
        return TransitionCheck(False, error=OutcomeError.REASON_REQUIRED, field="refusal_reason")
    needs_note = rule.note == "always" or (rule.note == "when_other" and given.refusal_reason == "other")
    if needs_note and not given.note.strip():
        return TransitionCheck(False, error=OutcomeError.NOTE_REQUIRED, field="note")
    return TransitionCheck(True, transition=Transition(rule.status, given.outcome, rule.status == CLOSED))


def next_status(current: str, given: OutcomeInput) -> Transition:
    """The transition an outcome makes, or TransitionError with the refusal's code."""
    check = check_transition(current, given)
    if not check.ok:
        raise TransitionError(check.error)
    return check.transition


def should_have_task(*, insured_this_year: bool, deceased: bool, moved_out: bool, other_cover: bool) -> bool:
    """Who the campaign lists as to-do: alive, still registered here, not insured anywhere."""
    return not (insured_this_year or deceased or moved_out or other_cover)


def gap_kind(*, insured_last_year: bool) -> str:
    """未参保 (never insured here) or 断保 (insured last year, not this year)."""
    return "lapsed" if insured_last_year else "uninsured"
