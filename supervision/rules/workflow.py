"""Case workflow and agreement status: transition tables and checks (pure).

A case moves registered → investigating → decided → executed → closed. Transfer to the police
(移交公安) is a branch from investigating or decided; a transferred case is closed when the police
answer. An investigation that finds nothing closes directly, with a reason. Nothing else exists:
no skipped step, no way back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class CaseStatus(StrEnum):
    REGISTERED = "registered"
    INVESTIGATING = "investigating"
    DECIDED = "decided"
    EXECUTED = "executed"
    TRANSFERRED = "transferred"
    CLOSED = "closed"


TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.REGISTERED: frozenset({CaseStatus.INVESTIGATING}),
    CaseStatus.INVESTIGATING: frozenset({CaseStatus.DECIDED, CaseStatus.TRANSFERRED, CaseStatus.CLOSED}),
    CaseStatus.DECIDED: frozenset({CaseStatus.EXECUTED, CaseStatus.TRANSFERRED}),
    CaseStatus.EXECUTED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.TRANSFERRED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}


class TransitionError(StrEnum):
    """Why a transition is refused (the service turns the code into a translated message)."""

    NOT_ALLOWED = "not_allowed"
    DECISION_REQUIRED = "decision_required"
    REASON_REQUIRED = "reason_required"


@dataclass(frozen=True, slots=True)
class TransitionRequest:
    current: CaseStatus
    target: CaseStatus
    has_decision: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class TransitionCheck:
    allowed: bool
    error: TransitionError | None = None
    field: str = ""


def allowed_targets(current: CaseStatus) -> frozenset[CaseStatus]:
    return TRANSITIONS[CaseStatus(current)]


def check_transition(req: TransitionRequest) -> TransitionCheck:
    current, target = CaseStatus(req.current), CaseStatus(req.target)
    if target not in TRANSITIONS[current]:
        return TransitionCheck(False, TransitionError.NOT_ALLOWED, "target")
    if target in (CaseStatus.DECIDED, CaseStatus.EXECUTED) and not req.has_decision:
        return TransitionCheck(False, TransitionError.DECISION_REQUIRED, "decision")
    # Closing an investigation without a decision, or handing a case to the police, needs a reason.
    needs_note = target == CaseStatus.TRANSFERRED or (
        target == CaseStatus.CLOSED and current == CaseStatus.INVESTIGATING
    )
    if needs_note and not req.note.strip():
        return TransitionCheck(False, TransitionError.REASON_REQUIRED, "note")
    return TransitionCheck(True)


# --- Agreement (医保服务协议) -----------------------------------------------------------


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # 中止, for a period
    TERMINATED = "terminated"  # 解除, final


class AgreementAction(StrEnum):
    NONE = "none"
    SUSPEND = "suspend"
    TERMINATE = "terminate"
    RESTORE = "restore"


class AgreementError(StrEnum):
    TERMINATED = "already_terminated"
    PERIOD_REQUIRED = "period_required"
    PERIOD_INVALID = "period_invalid"
    NOT_SUSPENDED = "not_suspended"


@dataclass(frozen=True, slots=True)
class AgreementChange:
    status: AgreementStatus
    error: AgreementError | None = None
    field: str = ""


def apply_agreement_action(
    current: AgreementStatus,
    action: AgreementAction,
    *,
    start: date | None = None,
    end: date | None = None,
) -> AgreementChange:
    """The agreement status after an action, or why the action is refused."""
    current, action = AgreementStatus(current), AgreementAction(action)
    if action == AgreementAction.NONE:
        return AgreementChange(current)
    if current == AgreementStatus.TERMINATED:
        return AgreementChange(current, AgreementError.TERMINATED, "agreement_action")
    if action == AgreementAction.SUSPEND:
        if start is None or end is None:
            return AgreementChange(current, AgreementError.PERIOD_REQUIRED, "suspended_until")
        if end < start:
            return AgreementChange(current, AgreementError.PERIOD_INVALID, "suspended_until")
        return AgreementChange(AgreementStatus.SUSPENDED)
    if action == AgreementAction.TERMINATE:
        if start is None:
            return AgreementChange(current, AgreementError.PERIOD_REQUIRED, "suspended_from")
        return AgreementChange(AgreementStatus.TERMINATED)
    # RESTORE
    if current != AgreementStatus.SUSPENDED:
        return AgreementChange(current, AgreementError.NOT_SUSPENDED, "agreement_action")
    return AgreementChange(AgreementStatus.ACTIVE)


@dataclass(frozen=True, slots=True)
class AgreementPeriod:
    """One row of an agreement's status history."""

    status: AgreementStatus
    start: date
    end: date | None = None  # inclusive; None = open


def agreement_status_on(history: tuple[AgreementPeriod, ...], as_of: date) -> AgreementStatus:
    """Status on a day: the latest period that covers it; a suspension ends by itself."""
    status = AgreementStatus.ACTIVE
    for period in sorted(history, key=lambda p: p.start):
        if period.start > as_of:
            break
        if period.status == AgreementStatus.TERMINATED:
            return AgreementStatus.TERMINATED
        if period.end is None or period.end >= as_of:
            status = period.status
        else:
            status = AgreementStatus.ACTIVE
    return status
