"""The recalculation status table (pure, no database): every (current, target) pair gets the verdict
the services rely on. The import table is the core's one lifecycle: tests/core/test_import_lifecycle.py."""

import pytest

from claims.rules.status import (
    RECALCULATION_OPEN,
    RECALCULATION_RUNNING,
    RecalculationStatus,
    Verdict,
    check_recalculation_transition,
)

R = RecalculationStatus
GO, SKIP, REFUSE = Verdict.GO, Verdict.SKIP, Verdict.REFUSE


def test_checks_take_the_stored_strings():
    assert check_recalculation_transition("ready", "approved") == GO


RECALCULATION_CASES = {
    # the difference report (recalculation_compute) is wanted only while computing
    (R.COMPUTING, R.READY): GO,
    (R.READY, R.READY): SKIP,
    (R.APPROVED, R.READY): SKIP,
    (R.APPLIED, R.READY): SKIP,
    (R.DISCARDED, R.READY): SKIP,
    (R.FAILED, R.READY): SKIP,
    # approval
    (R.READY, R.APPROVED): GO,
    # applying: twice changes nothing
    (R.APPROVED, R.APPLIED): GO,
    (R.APPLIED, R.APPLIED): SKIP,
    # discarding a report or a failed run
    (R.READY, R.DISCARDED): GO,
    (R.FAILED, R.DISCARDED): GO,
    # background work failing
    (R.COMPUTING, R.FAILED): GO,
    (R.READY, R.FAILED): GO,
    (R.APPROVED, R.FAILED): GO,
    (R.FAILED, R.FAILED): GO,
}


@pytest.mark.parametrize("current", list(R))
@pytest.mark.parametrize("target", list(R))
def test_recalculation_table(current, target):
    assert check_recalculation_transition(current, target) == RECALCULATION_CASES.get((current, target), REFUSE)


@pytest.mark.parametrize(
    ("status", "blocks_imports", "blocks_another_run"),
    [
        (R.COMPUTING, True, True),
        (R.READY, True, False),
        (R.APPROVED, True, True),
        (R.APPLIED, False, False),
        (R.DISCARDED, False, False),
        (R.FAILED, False, False),
    ],
)
def test_which_runs_block_imports_and_new_runs(status, blocks_imports, blocks_another_run):
    assert (status in RECALCULATION_OPEN) == blocks_imports
    assert (status in RECALCULATION_RUNNING) == blocks_another_run


def test_the_tables_know_the_models_statuses():
    from claims.models import Recalculation, SettlementImport
    from medinsure.rules.imports import ImportStatus

    assert {s.value for s in ImportStatus} == set(SettlementImport.Status.values)
    assert {s.value for s in R} == set(Recalculation.Status.values)
