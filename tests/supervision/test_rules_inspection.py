from datetime import date

import pytest

from supervision.rules.inspection import (
    Escalation,
    Findings,
    FollowUp,
    Outcome,
    SelfInspectionFacts,
    self_inspection_decision,
)

DL = date(2024, 9, 10)
F = Findings


@pytest.mark.parametrize(
    "as_of,filed_on,findings,previous,outcome,follow,late",
    [
        (date(2024, 9, 1), None, F.NONE, 0, Outcome.PENDING, FollowUp.NONE, False),
        (DL, None, F.NONE, 0, Outcome.PENDING, FollowUp.NONE, False),  # the deadline day itself
        (date(2024, 9, 11), None, F.NONE, 0, Outcome.FAILING, FollowUp.WARNING, False),
        (date(2024, 9, 11), None, F.NONE, 1, Outcome.FAILING, FollowUp.SUSPENSION, False),
        (date(2024, 9, 11), None, F.NONE, 2, Outcome.FAILING, FollowUp.CANCELLATION, False),
        (date(2024, 9, 20), date(2024, 9, 15), F.NONE, 0, Outcome.FAILING, FollowUp.WARNING, True),
        (date(2024, 9, 20), DL, F.NONE, 0, Outcome.FILED, FollowUp.NONE, False),
        (date(2024, 9, 5), date(2024, 9, 1), F.NONE, 3, Outcome.FILED, FollowUp.NONE, False),
        (date(2024, 10, 1), date(2024, 9, 1), F.UNRECTIFIED, 0, Outcome.FAILING, FollowUp.WARNING, False),
        (date(2024, 10, 1), date(2024, 9, 1), F.SERIOUS, 0, Outcome.FAILING, FollowUp.SUSPENSION, False),
        (date(2024, 10, 1), date(2024, 9, 1), F.SERIOUS, 1, Outcome.FAILING, FollowUp.CANCELLATION, False),
    ],
)
def test_self_inspection(as_of, filed_on, findings, previous, outcome, follow, late):
    d = self_inspection_decision(SelfInspectionFacts(DL, as_of, filed_on, findings, previous))
    assert (d.outcome, d.follow_up, d.late) == (outcome, follow, late)


def test_escalation_is_a_parameter():
    facts = SelfInspectionFacts(DL, date(2024, 9, 11), None, F.NONE, 1)
    d = self_inspection_decision(facts, Escalation(suspension_after=2, cancellation_after=3))
    assert d.follow_up == FollowUp.WARNING
