"""The one import lifecycle (medinsure.rules.imports, pure, no database): every (current, target) pair
gets the verdict the five importers' services rely on, and every importer's model speaks its vocabulary."""

import pytest

from medinsure.rules.imports import RUNNING, ImportStatus, Verdict, check_import_transition

S = ImportStatus
GO, SKIP, REFUSE = Verdict.GO, Verdict.SKIP, Verdict.REFUSE

CASES = {
    # the check ends (enrollment's validate task; the others check inline)
    (S.CHECKING, S.PREVIEW): GO,
    (S.CHECKING, S.INVALID): GO,
    (S.CHECKING, S.FAILED): GO,
    # a check delivered twice finds its work done
    (S.PREVIEW, S.PREVIEW): SKIP,
    (S.INVALID, S.PREVIEW): SKIP,
    (S.ACCEPTING, S.PREVIEW): SKIP,
    (S.DONE, S.PREVIEW): SKIP,
    # a person accepts the preview; a double click changes nothing
    (S.PREVIEW, S.ACCEPTING): GO,
    (S.ACCEPTING, S.ACCEPTING): SKIP,
    (S.DONE, S.ACCEPTING): SKIP,
    # the write: a write delivered twice is left alone, a failed one may run again
    (S.ACCEPTING, S.DONE): GO,
    (S.FAILED, S.DONE): GO,
    (S.DONE, S.DONE): SKIP,
    (S.ACCEPTING, S.FAILED): GO,
    (S.FAILED, S.FAILED): GO,
    (S.DONE, S.FAILED): SKIP,
}


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_pair_of_the_table(current, target):
    assert check_import_transition(current, target) == CASES.get((current, target), REFUSE)


@pytest.mark.parametrize("status", [s for s in S if s not in (S.PREVIEW, S.ACCEPTING, S.DONE)])
def test_only_a_preview_is_accepted(status):
    assert check_import_transition(status, S.ACCEPTING) == REFUSE


def test_invalid_and_done_are_final():
    for target in S:
        assert check_import_transition(S.INVALID, target) != GO
        assert check_import_transition(S.DONE, target) != GO


def test_checks_take_the_stored_strings():
    assert check_import_transition("preview", "accepting") == GO
    assert RUNNING == {S.CHECKING, S.ACCEPTING}


@pytest.mark.django_db
def test_the_five_importers_models_share_the_vocabulary_and_storage():
    from medinsure.core.imports import import_models

    models = {m._meta.label_lower for m in import_models()}
    assert models == {
        "enrollment.importbatch",
        "claims.settlementimport",
        "supervision.institutionimport",
        "fundbudget.statementimport",
        "replies.proposalimport",
    }
    for m in import_models():
        values = {v for v, _label in m._meta.get_field("status").choices}
        assert values == {s.value for s in S}, m
        for name in ("raw", "checked", "errors", "created_at", "purged_at"):
            m._meta.get_field(name)
