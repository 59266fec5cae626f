"""An application's path (受理 → 决定 → 办结) as a transition table, the papers check (一次性告知),
the legal time limit in working days, overdue, and the chronic rounds. Pure: no Django, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from medinsure.rules.workdays import HolidaySchedule, working_day_period_end

RECEIVED, RETURNED, ACCEPTED, APPROVED, REFUSED, FINISHED = (
    "received",
    "returned",
    "accepted",
    "approved",
    "refused",
    "finished",
)
ACCEPT, RETURN, APPROVE, REFUSE, FINISH = "accept", "return", "approve", "refuse", "finish"
ACTIONS = (ACCEPT, RETURN, APPROVE, REFUSE, FINISH)

# (status, action) -> new status. A returned application is accepted once the missing papers come in.
TRANSITIONS: dict[tuple[str, str], str] = {
    (RECEIVED, ACCEPT): ACCEPTED,
    (RECEIVED, RETURN): RETURNED,
    (RETURNED, ACCEPT): ACCEPTED,
    (ACCEPTED, APPROVE): APPROVED,
    (ACCEPTED, REFUSE): REFUSED,
    (APPROVED, FINISH): FINISHED,
    (REFUSED, FINISH): FINISHED,
}
OPEN_STATUSES = frozenset({RECEIVED, ACCEPTED, APPROVED, REFUSED})  # the clock runs (returned waits for the resident)
DONE_STATUSES = frozenset({FINISHED})


def next_status(status: str, action: str) -> str | None:
    """The status ``action`` leads to from ``status``, or None when the table has no such move."""
    return TRANSITIONS.get((status, action))


def actions_from(status: str) -> tuple[str, ...]:
    return tuple(a for (s, a) in TRANSITIONS if s == status)


def missing_papers(required, received) -> tuple[str, ...]:
    """The papers still missing, in the catalogue's order (一次性告知: all of them at once)."""
    have = set(received)
    return tuple(p for p in required if p not in have)


def unknown_papers(required, received) -> tuple[str, ...]:
    """Papers ticked that the item does not ask for (a form that was tampered with, or a stale list)."""
    known = set(required)
    return tuple(p for p in received if p not in known)


def due_on(accepted_on: date, limit_workdays: int, schedule: HolidaySchedule) -> date:
    """The last day of the legal time limit: ``limit_workdays`` working days after acceptance."""
    return working_day_period_end(accepted_on, limit_workdays, schedule).on


def is_overdue(*, status: str, due: date | None, finished_on: date | None, as_of: date) -> bool:
    """Open past its due day, or finished after it."""
    if due is None:
        return False
    if status == FINISHED:
        return finished_on is not None and finished_on > due
    return status in OPEN_STATUSES and as_of > due


# --- what each workflow's application must say besides its papers (checked when it is received) ----------
REQUIRED_DETAILS: dict[str, tuple[str, ...]] = {
    "remote": ("filing_kind", "destination", "valid_from"),
    "manual_claim": (
        "institution_code",
        "invoice_number",
        "reason",
        "policy_code",
        "kind",
        "hospital_level",
        "admitted_on",
        "lines",
    ),
    "cover_stop": ("stopped_on", "reason"),
    "cover_resume": ("resumed_on",),
    "direct_debit": ("year", "bank_name", "account_holder", "account_number"),
}


def missing_details(workflow: str, details: dict) -> tuple[str, ...]:
    return tuple(k for k in REQUIRED_DETAILS.get(workflow, ()) if details.get(k) in (None, "", []))


# --- chronic and special diseases (慢特病申报): twice a year, records of the last three years ---------------
EVIDENCE_MAX_YEARS = 3  # seed 003: 持近三年以内的住院病历
# how long an approved registration is valid: a demo setting (the seeds state no period)
REGISTRATION_VALID_YEARS = 2


def round_of(d: date) -> tuple[int, int]:
    """The round (year, half) a day belongs to: January–June is the first, July–December the second."""
    return d.year, 1 if d.month <= 6 else 2


def evidence_problem(evidence_years: int | None) -> str | None:
    """None when the records qualify; else the reason's key (``missing`` / ``too_old``)."""
    if not evidence_years or evidence_years < 1:
        return "missing"
    if evidence_years > EVIDENCE_MAX_YEARS:
        return "too_old"
    return None


def registration_period(decided_on: date) -> tuple[date, date]:
    """An approved registration's validity: from the decision for REGISTRATION_VALID_YEARS years."""
    try:
        end = decided_on.replace(year=decided_on.year + REGISTRATION_VALID_YEARS)
    except ValueError:  # 29 February
        end = decided_on.replace(year=decided_on.year + REGISTRATION_VALID_YEARS, day=28)
    return decided_on, end - timedelta(days=1)


@dataclass(frozen=True)
class Tracking:
    """A tracking number a resident can read out: ``B`` + yymmdd + point (3 digits) + serial (4 digits)."""

    day: date
    point_id: int
    serial: int

    def __str__(self) -> str:
        return f"B{self.day:%y%m%d}{self.point_id % 1000:03d}{self.serial:04d}"
