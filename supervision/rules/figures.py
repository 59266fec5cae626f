"""The year's supervision figures, from the bureau's own records (pure arithmetic).

Every record carries the month it counts in and the kind of who was supervised ("medical",
"pharmacy", or "person" for insured persons). The figures are given for the year, by kind and by
month. Two subtleties:
- `institutions_inspected` counts distinct institutions: the year's figure is not the sum of the
  months' figures (an institution inspected in March and in May counts once in the year).
- the figures of cases that came from whistle-blower reports (`reports_handled`,
  `reports_recovered`, `reports_fines`) are part of the totals, never added to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

KINDS = ("medical", "pharmacy", "person", "other")  # other: a report naming no one yet
MONTHS = tuple(range(1, 13))

COUNT_KEYS = (
    "inspections",
    "institutions_inspected",
    "penalties_or_agreement_handlings",
    "agreements_suspended",
    "agreements_terminated",
    "publicized",
    "reports_received",
    "reports_handled",
    "transferred_to_police",
    "flags_raised",
    "flags_confirmed",
)
AMOUNT_KEYS = ("recovered", "rejected", "fines", "reports_recovered", "reports_fines")
KEYS = COUNT_KEYS + AMOUNT_KEYS


@dataclass(frozen=True, slots=True)
class InspectionRec:
    institution_id: int
    kind: str
    month: int


@dataclass(frozen=True, slots=True)
class DecisionRec:
    kind: str
    month: int
    handled: bool  # an administrative penalty and/or an agreement handling
    recovered: Decimal
    rejected: Decimal
    fines: Decimal
    from_report: bool = False


@dataclass(frozen=True, slots=True)
class AgreementRec:
    kind: str
    month: int
    action: str  # "suspend" / "terminate"


@dataclass(frozen=True, slots=True)
class EventRec:
    """A counted event: "publicized", "reports_received", "transferred_to_police"."""

    what: str
    kind: str
    month: int


@dataclass(frozen=True, slots=True)
class FlagRec:
    """Flags pre-counted by month and kind (there can be millions)."""

    kind: str
    month: int
    raised: int = 0
    confirmed: int = 0
    deducted: Decimal = Decimal("0.00")  # confirmed flags' deductions (拒付)


@dataclass(frozen=True)
class Figures:
    year: int
    total: dict
    by_kind: dict  # kind -> {key: value}
    by_month: dict  # month -> {key: value}


def _empty() -> dict:
    d: dict = {k: 0 for k in COUNT_KEYS}
    d.update({k: Decimal("0.00") for k in AMOUNT_KEYS})
    return d


EVENT_KEYS = {"publicized", "reports_received", "transferred_to_police"}


def yearly_figures(
    year: int,
    *,
    inspections: Iterable[InspectionRec] = (),
    decisions: Iterable[DecisionRec] = (),
    agreements: Iterable[AgreementRec] = (),
    events: Iterable[EventRec] = (),
    flags: Iterable[FlagRec] = (),
) -> Figures:
    total, by_kind, by_month = _empty(), {k: _empty() for k in KINDS}, {m: _empty() for m in MONTHS}

    def add(kind: str, month: int, key: str, value) -> None:
        if kind not in by_kind or month not in by_month:
            raise ValueError(f"{key}: bad kind {kind!r} or month {month!r}")
        total[key] += value
        by_kind[kind][key] += value
        by_month[month][key] += value

    seen_year: dict[str, set[int]] = {k: set() for k in KINDS}
    seen_month: dict[int, set[int]] = {m: set() for m in MONTHS}
    for r in inspections:
        add(r.kind, r.month, "inspections", 1)
        if r.institution_id not in seen_year[r.kind]:
            seen_year[r.kind].add(r.institution_id)
            total["institutions_inspected"] += 1
            by_kind[r.kind]["institutions_inspected"] += 1
        if r.institution_id not in seen_month[r.month]:
            seen_month[r.month].add(r.institution_id)
            by_month[r.month]["institutions_inspected"] += 1

    for r in decisions:
        if r.handled:
            add(r.kind, r.month, "penalties_or_agreement_handlings", 1)
        add(r.kind, r.month, "recovered", r.recovered)
        add(r.kind, r.month, "rejected", r.rejected)
        add(r.kind, r.month, "fines", r.fines)
        if r.from_report:
            if r.handled:
                add(r.kind, r.month, "reports_handled", 1)
            add(r.kind, r.month, "reports_recovered", r.recovered)
            add(r.kind, r.month, "reports_fines", r.fines)

    for r in agreements:
        key = {"suspend": "agreements_suspended", "terminate": "agreements_terminated"}.get(r.action)
        if key is None:
            raise ValueError(f"agreement action {r.action!r}")
        add(r.kind, r.month, key, 1)

    for r in events:
        if r.what not in EVENT_KEYS:
            raise ValueError(f"event {r.what!r}")
        add(r.kind, r.month, r.what, 1)

    for r in flags:
        add(r.kind, r.month, "flags_raised", r.raised)
        add(r.kind, r.month, "flags_confirmed", r.confirmed)
        add(r.kind, r.month, "rejected", r.deducted)

    return Figures(year, total, by_kind, by_month)
