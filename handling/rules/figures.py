"""Volumes and on-time rate per service point and per item. Pure: rows in, figures out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from handling.rules.workflow import FINISHED, RETURNED, is_overdue


@dataclass(frozen=True)
class Row:
    key: str
    status: str
    due: date | None
    finished_on: date | None


@dataclass(frozen=True)
class Figures:
    key: str
    received: int
    returned: int
    open: int
    finished: int
    finished_on_time: int
    overdue: int  # open past due, or finished late

    @property
    def on_time_rate(self) -> Decimal | None:
        """Finished within the limit / finished; None when nothing is finished yet."""
        if not self.finished:
            return None
        return (Decimal(self.finished_on_time) / Decimal(self.finished) * 100).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def figures(rows, *, as_of: date) -> list[Figures]:
    """One line per key, in the order keys first appear."""
    acc: dict[str, list[int]] = {}
    for r in rows:
        a = acc.setdefault(r.key, [0, 0, 0, 0, 0, 0])
        a[0] += 1
        late = is_overdue(status=r.status, due=r.due, finished_on=r.finished_on, as_of=as_of)
        if r.status == RETURNED:
            a[1] += 1
        elif r.status == FINISHED:
            a[3] += 1
            a[4] += 0 if late else 1
        else:
            a[2] += 1
        a[5] += 1 if late else 0
    return [Figures(k, *v) for k, v in acc.items()]


def total(lines: list[Figures], key: str = "") -> Figures:
    return Figures(
        key,
        sum(f.received for f in lines),
        sum(f.returned for f in lines),
        sum(f.open for f in lines),
        sum(f.finished for f in lines),
        sum(f.finished_on_time for f in lines),
        sum(f.overdue for f in lines),
    )
