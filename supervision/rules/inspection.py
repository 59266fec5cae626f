"""Yearly self-inspection (自查自纠) of designated institutions, and what follows (seed 003 篇6).

Each year institutions file a written self-inspection report by a deadline (e.g. 10 September);
one that files nothing by then counts as failing (逾期不上报的, 将作为考核不合格处理). Problems found
and not corrected lead to a warning and public criticism (警告和通报批评); serious violations to
suspension of the designation (暂停定点资格), up to its cancellation (取消定点资格).

Escalation for repeated failure (the seed names the three steps, not the counting; the counts are
parameters a bureau can change): the first failing year → warning, the second in a row →
suspension, the third → cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Outcome(StrEnum):
    PENDING = "pending"  # deadline not yet passed, nothing filed
    FILED = "filed"  # filed by the deadline, no findings held against it
    FAILING = "failing"  # nothing filed by the deadline, or findings


class Findings(StrEnum):
    NONE = "none"
    UNRECTIFIED = "unrectified"  # 发现有问题而尚未整改
    SERIOUS = "serious"  # 违规情节严重


class FollowUp(StrEnum):
    NONE = "none"
    WARNING = "warning"  # 警告和通报批评
    SUSPENSION = "suspension"  # 暂停定点资格
    CANCELLATION = "cancellation"  # 取消定点资格


@dataclass(frozen=True, slots=True)
class SelfInspectionFacts:
    deadline: date
    as_of: date
    filed_on: date | None = None
    findings: Findings = Findings.NONE
    previous_failures: int = 0  # failing years in a row just before this one


@dataclass(frozen=True, slots=True)
class SelfInspectionDecision:
    outcome: Outcome
    follow_up: FollowUp
    late: bool = False


@dataclass(frozen=True, slots=True)
class Escalation:
    suspension_after: int = 1  # previous failures that make this year's failure a suspension
    cancellation_after: int = 2


def _escalate(previous_failures: int, esc: Escalation) -> FollowUp:
    if previous_failures >= esc.cancellation_after:
        return FollowUp.CANCELLATION
    if previous_failures >= esc.suspension_after:
        return FollowUp.SUSPENSION
    return FollowUp.WARNING


def self_inspection_decision(facts: SelfInspectionFacts, esc: Escalation = Escalation()) -> SelfInspectionDecision:
    filed_in_time = facts.filed_on is not None and facts.filed_on <= facts.deadline
    if not filed_in_time:
        if facts.as_of <= facts.deadline:
            return SelfInspectionDecision(Outcome.PENDING, FollowUp.NONE)
        return SelfInspectionDecision(
            Outcome.FAILING, _escalate(facts.previous_failures, esc), late=facts.filed_on is not None
        )
    findings = Findings(facts.findings)
    if findings == Findings.NONE:
        return SelfInspectionDecision(Outcome.FILED, FollowUp.NONE)
    if findings == Findings.UNRECTIFIED:
        return SelfInspectionDecision(Outcome.FAILING, FollowUp.WARNING)
    # serious: suspension, cancellation when it repeats a failing year
    follow = FollowUp.CANCELLATION if facts.previous_failures >= esc.suspension_after else FollowUp.SUSPENSION
    return SelfInspectionDecision(Outcome.FAILING, follow)
