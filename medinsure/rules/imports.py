"""The one lifecycle of every import (enrollment, claims, supervision institutions, fundbudget statements,
replies): a transition table and one pure check (supervision's ``workflow.TRANSITIONS`` is the model).

    checking ──► preview ──► accepting ──► done
       │                        │  ▲
       ├──► invalid             ▼  │ (a failed write run again)
       └──► failed ◄────────── failed

- ``checking``: the upload is stored (in the database) and being checked as a whole;
- ``invalid``: the file cannot be used (unreadable, wrong headers, or row errors where the importer
  refuses a file with any); nothing more happens to it;
- ``preview``: checked; the checked rows wait in the database for a person to accept them;
- ``accepting``: accepted; the one bulk write is queued or running (any worker on any host can run it:
  everything it needs is in the database);
- ``done``: written; ``failed``: the check or the write broke (the message says why; a failed write may
  be run again).

A service asks ``check_import_transition(current, target)`` before it moves a row and gets GO (make the
move), SKIP (already done: a task delivered twice returns without a change) or REFUSE (the service
raises a ValidationError naming the status).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    GO = "go"
    SKIP = "skip"
    REFUSE = "refuse"


class ImportStatus(StrEnum):
    CHECKING = "checking"
    PREVIEW = "preview"
    ACCEPTING = "accepting"
    DONE = "done"
    INVALID = "invalid"
    FAILED = "failed"


S = ImportStatus

TRANSITIONS: dict[ImportStatus, frozenset[ImportStatus]] = {
    S.CHECKING: frozenset({S.PREVIEW, S.INVALID, S.FAILED}),  # the check ends
    S.PREVIEW: frozenset({S.ACCEPTING}),  # a person accepts the preview
    S.ACCEPTING: frozenset({S.DONE, S.FAILED}),  # the write ends
    S.FAILED: frozenset({S.DONE, S.FAILED}),  # a failed write run again
    S.INVALID: frozenset(),
    S.DONE: frozenset(),
}

# target -> the statuses in which moving to it is a no-op (the work is already done)
SKIP: dict[ImportStatus, frozenset[ImportStatus]] = {
    S.PREVIEW: frozenset({S.PREVIEW, S.INVALID, S.ACCEPTING, S.DONE}),  # a check delivered twice
    S.ACCEPTING: frozenset({S.ACCEPTING, S.DONE}),  # accepted twice (a double click)
    S.DONE: frozenset({S.DONE}),  # a write delivered twice
    S.FAILED: frozenset({S.DONE}),  # a finished write is not marked failed
}

# work in progress: retention never clears the data of an import in these statuses, whatever its age
# (a preview left for longer than the retention period loses its data and can no longer be accepted)
RUNNING = frozenset({S.CHECKING, S.ACCEPTING})


def check_import_transition(current: str, target: str) -> Verdict:
    cur, tgt = ImportStatus(current), ImportStatus(target)
    if cur in SKIP.get(tgt, ()):
        return Verdict.SKIP
    if tgt in TRANSITIONS[cur]:
        return Verdict.GO
    return Verdict.REFUSE


@dataclass(frozen=True)
class RowError:
    """One problem of an imported file: its line (the header is line 1), column, the cell's value and the
    message (``medinsure.core.imports`` re-exports it; the error report masks the value by the viewer)."""

    line: int
    column: str
    value: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "value": self.value, "message": str(self.message)}
