"""The clocks of a case: reply due date, other periods, reminders and the overdue mark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .calendar import ComputedDate, HolidaySchedule, month_period_end, working_day_period_end


@dataclass(frozen=True)
class DeadlinePolicy:
    """Defaults of the domain page; configurable per body and per year."""

    reply_months: int = 3
    urgent_months: int = 1
    hard_months: int = 6
    second_reply_months: int = 1
    co_handler_months: int = 1
    return_working_days: int = 10
    feedback_working_days: int = 15
    publish_working_days: int = 20
    reminder_days: tuple[int, ...] = (15, 7, 3, 1)


DEFAULT_POLICY = DeadlinePolicy()


def reply_due(
    assigned_on: date,
    *,
    urgent: bool,
    schedule: HolidaySchedule,
    hard: bool = False,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> ComputedDate:
    """Reply due date: 1 month when urgent, 6 when broad or hard, else 3 — after assignment."""
    months = policy.urgent_months if urgent else policy.hard_months if hard else policy.reply_months
    return month_period_end(assigned_on, months, schedule)


def second_reply_due(
    receipt_on: date, *, schedule: HolidaySchedule, policy: DeadlinePolicy = DEFAULT_POLICY
) -> ComputedDate:
    return month_period_end(receipt_on, policy.second_reply_months, schedule)


def co_handler_opinion_due(
    assigned_on: date, *, schedule: HolidaySchedule, policy: DeadlinePolicy = DEFAULT_POLICY
) -> ComputedDate:
    return month_period_end(assigned_on, policy.co_handler_months, schedule)


def return_due(
    assigned_on: date, *, schedule: HolidaySchedule, policy: DeadlinePolicy = DEFAULT_POLICY
) -> ComputedDate:
    return working_day_period_end(assigned_on, policy.return_working_days, schedule)


def feedback_due(sent_on: date, *, schedule: HolidaySchedule, policy: DeadlinePolicy = DEFAULT_POLICY) -> ComputedDate:
    return working_day_period_end(sent_on, policy.feedback_working_days, schedule)


def publish_due(sent_on: date, *, schedule: HolidaySchedule, policy: DeadlinePolicy = DEFAULT_POLICY) -> ComputedDate:
    return working_day_period_end(sent_on, policy.publish_working_days, schedule)


OVERDUE = "overdue"


@dataclass(frozen=True)
class Reminder:
    """What to send now: ``level`` is ``"d<N>"`` (N days or fewer left) or ``"overdue"``."""

    level: str
    days_left: int


def reminder_level(days: int) -> str:
    return f"d{days}"


def reminder_decision(
    due_on: date,
    *,
    as_of: date,
    sent: frozenset[str] = frozenset(),
    open_: bool = True,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> Reminder | None:
    """The one reminder to send on ``as_of``, or None.

    Only the most pressing level applies (a missed earlier level is not sent late); a level already
    in ``sent`` is never sent again, so running the batch twice sends nothing twice.
    """
    if not open_:
        return None
    days_left = (due_on - as_of).days
    if days_left < 0:
        return None if OVERDUE in sent else Reminder(OVERDUE, days_left)
    applicable = [n for n in policy.reminder_days if days_left <= n]
    if not applicable:
        return None
    level = reminder_level(min(applicable))
    if level in sent:
        return None
    return Reminder(level, days_left)


def is_overdue(due_on: date, *, as_of: date, done_on: date | None = None) -> bool:
    """Overdue when not done by the due date (done late counts as overdue too)."""
    if done_on is not None:
        return done_on > due_on
    return as_of > due_on


def case_due(
    clock_start: date,
    *,
    round_: int,
    urgent: bool,
    hard: bool,
    co_handler: bool,
    schedule: HolidaySchedule,
    policy: DeadlinePolicy = DEFAULT_POLICY,
) -> ComputedDate:
    """The one due date a case shows: the second reply (1 month from the unsatisfied receipt), a
    co-handler's opinion to the lead unit (1 month), else the reply (urgent 1, hard 6, else 3 months)."""
    if round_ == 2:
        return second_reply_due(clock_start, schedule=schedule, policy=policy)
    if co_handler:
        return co_handler_opinion_due(clock_start, schedule=schedule, policy=policy)
    return reply_due(clock_start, urgent=urgent, hard=hard, schedule=schedule, policy=policy)


def policy_from(overrides: dict) -> DeadlinePolicy:
    """A policy from settings-like data; unknown keys are an error, not silently ignored."""
    known = set(DeadlinePolicy.__dataclass_fields__)
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown deadline settings: {sorted(unknown)}")
    values = dict(overrides)
    if "reminder_days" in values:
        values["reminder_days"] = tuple(values["reminder_days"])
    return DeadlinePolicy(**values)
