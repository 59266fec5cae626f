"""Progress figures: completion rate and competition ranking (1, 2, 2, 4)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")


def rate(insured: int, task: int) -> Decimal:
    if task <= 0:
        return Decimal("0.0000")
    return (Decimal(insured) / Decimal(task)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ProgressRow:
    division_code: str
    division_name: str
    task: int
    insured: int
    rate: Decimal
    rank: int
    change: int = 0  # insured since the previous report


def rank_rows(rows: list[tuple[str, str, int, int, int]]) -> list[ProgressRow]:
    """rows: (code, name, task, insured, previous_insured). Ordered by rank, then code."""
    rated = [(code, name, task, ins, prev, rate(ins, task)) for code, name, task, ins, prev in rows]
    rated.sort(key=lambda r: (-r[5], r[0]))
    out: list[ProgressRow] = []
    prev_rate, prev_rank = None, 0
    for pos, (code, name, task, ins, prev, rt) in enumerate(rated, start=1):
        rnk = prev_rank if rt == prev_rate else pos
        out.append(ProgressRow(code, name, task, ins, rt, rnk, ins - prev))
        prev_rate, prev_rank = rt, rnk
    return out
