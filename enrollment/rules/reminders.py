"""Payment reminders (缴费提醒): rounds and who may receive one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ReminderFacts:
    has_phone: bool
    paid: bool
    deceased: bool
    moved_out: bool
    other_cover: bool  # employee insurance or insured elsewhere
    opted_out: bool
    already_sent_rounds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ReminderDecision:
    eligible: bool
    reason: str  # "ok" or why not


def current_round(
    as_of: date, *, collection_start: date, collection_end: date, round_days: tuple[int, ...]
) -> str | None:
    """The reminder round in force on ``as_of``: rounds start ``round_days`` days after the period
    opens (e.g. (0, 30, 60) plus the last week). Outside the collection period, no round."""
    if not (collection_start <= as_of <= collection_end):
        return None
    days = (as_of - collection_start).days
    started = [d for d in sorted(round_days) if d <= days]
    if not started:
        return None
    return f"{collection_start.year}-R{len(started)}"


def eligibility(facts: ReminderFacts, round_id: str | None) -> ReminderDecision:
    checks = (
        (round_id is None, "no_round"),
        (facts.paid, "paid"),
        (facts.deceased, "deceased"),
        (facts.moved_out, "moved_out"),
        (facts.other_cover, "other_cover"),
        (facts.opted_out, "opted_out"),
        (not facts.has_phone, "no_phone"),
        (round_id in facts.already_sent_rounds, "already_sent"),
    )
    for failed, reason in checks:
        if failed:
            return ReminderDecision(False, reason)
    return ReminderDecision(True, "ok")


def retry_delay_seconds(attempt: int, *, base: int = 60, cap: int = 3600) -> int:
    """Exponential back-off for a failed delivery: 60, 120, 240 … capped."""
    return min(cap, base * (2 ** max(0, attempt - 1)))
