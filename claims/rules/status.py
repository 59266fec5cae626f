"""The statuses of a batch recalculation: a transition table and one pure check (supervision's
``workflow.TRANSITIONS`` + ``check_transition`` is the model). The settlement import follows the core's
one import lifecycle (``medinsure.rules.imports``), like every importer.

A service asks ``check_*_transition(current, target)`` before it moves a row and gets one of three
verdicts: GO (make the move), SKIP (the work is already done or no longer wanted: a task delivered
again returns without a change) or REFUSE (the service raises a ValidationError naming the status).
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    GO = "go"
    SKIP = "skip"
    REFUSE = "refuse"


# --- batch recalculation (批量重算) -----------------------------------------------------------------
class RecalculationStatus(StrEnum):
    COMPUTING = "computing"  # the difference report is being computed
    READY = "ready"  # the report waits for approval
    APPROVED = "approved"  # approved: being applied
    APPLIED = "applied"
    DISCARDED = "discarded"
    FAILED = "failed"


RECALCULATION_TRANSITIONS: dict[RecalculationStatus, frozenset[RecalculationStatus]] = {
    RecalculationStatus.COMPUTING: frozenset({RecalculationStatus.READY, RecalculationStatus.FAILED}),
    RecalculationStatus.READY: frozenset(
        {RecalculationStatus.APPROVED, RecalculationStatus.DISCARDED, RecalculationStatus.FAILED}
    ),
    RecalculationStatus.APPROVED: frozenset({RecalculationStatus.APPLIED, RecalculationStatus.FAILED}),
    RecalculationStatus.FAILED: frozenset({RecalculationStatus.DISCARDED, RecalculationStatus.FAILED}),
    RecalculationStatus.APPLIED: frozenset(),
    RecalculationStatus.DISCARDED: frozenset(),
}

RECALCULATION_SKIP: dict[RecalculationStatus, frozenset[RecalculationStatus]] = {
    # computing the report is wanted only while the run is computing (a re-delivery after it was
    # finished, approved, discarded or failed does nothing)
    RecalculationStatus.READY: frozenset(RecalculationStatus) - {RecalculationStatus.COMPUTING},
    RecalculationStatus.APPLIED: frozenset({RecalculationStatus.APPLIED}),  # applied twice
}

# An open run's report would miss new settlements: imports of its policy wait until it is closed.
RECALCULATION_OPEN = frozenset({RecalculationStatus.COMPUTING, RecalculationStatus.READY, RecalculationStatus.APPROVED})
# One run of a policy's year works at a time.
RECALCULATION_RUNNING = frozenset({RecalculationStatus.COMPUTING, RecalculationStatus.APPROVED})


def check_recalculation_transition(current: str, target: str) -> Verdict:
    return _check(
        RECALCULATION_TRANSITIONS,
        RECALCULATION_SKIP,
        RecalculationStatus(current),
        RecalculationStatus(target),
    )


def _check(transitions, skip, current, target) -> Verdict:
    if current in skip.get(target, ()):
        return Verdict.SKIP
    if target in transitions[current]:
        return Verdict.GO
    return Verdict.REFUSE
