"""Guideline task allocation per township (指导性任务数).

raw = base_ratio x hukou_population + moved_in - moved_out + births - deaths - employee_insured - enrolled_elsewhere
Without a district total: task = round_half_up(max(raw, 0)).
With a district total T: T shared in proportion to max(raw, 0) by largest remainder; leftover units go one
each to the largest fractional parts, ties to the smaller township code. Tasks add up to T exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

DEFAULT_BASE_RATIO = Decimal("0.96")
TWO_PLACES = Decimal("0.01")


class AllocationError(ValueError):
    pass


@dataclass(frozen=True)
class TownshipFigures:
    township_code: str
    township_name: str
    hukou_population: int
    moved_in: int = 0
    moved_out: int = 0
    births: int = 0
    deaths: int = 0
    employee_insured: int = 0
    enrolled_elsewhere: int = 0


@dataclass(frozen=True)
class TownshipTask:
    township_code: str
    township_name: str
    raw: Decimal  # exact (unrounded) raw figure
    task: int

    @property
    def raw_2dp(self) -> Decimal:
        return self.raw.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def raw_task(f: TownshipFigures, base_ratio: Decimal = DEFAULT_BASE_RATIO) -> Decimal:
    return (
        Decimal(base_ratio) * f.hukou_population
        + f.moved_in
        - f.moved_out
        + f.births
        - f.deaths
        - f.employee_insured
        - f.enrolled_elsewhere
    )


def round_half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(
    figures: list[TownshipFigures] | tuple[TownshipFigures, ...],
    *,
    total: int | None = None,
    base_ratio: Decimal = DEFAULT_BASE_RATIO,
) -> list[TownshipTask]:
    """Return one TownshipTask per input row, in input order."""
    base_ratio = Decimal(base_ratio)
    if base_ratio < 0:
        raise AllocationError("base_ratio must not be negative")
    codes = [f.township_code for f in figures]
    if len(set(codes)) != len(codes):
        raise AllocationError("duplicate township_code")
    raws = [raw_task(f, base_ratio) for f in figures]
    if total is None:
        return [
            TownshipTask(f.township_code, f.township_name, r, round_half_up(max(r, Decimal(0))))
            for f, r in zip(figures, raws, strict=False)
        ]
    if total < 0:
        raise AllocationError("total must not be negative")
    weights = [max(r, Decimal(0)) for r in raws]
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        if total == 0:
            return [TownshipTask(f.township_code, f.township_name, r, 0) for f, r in zip(figures, raws, strict=False)]
        raise AllocationError("cannot share a total when every raw figure is zero or negative")
    # Exact rational arithmetic: quota_i = total * w_i / W; floor and remainder on integers scaled by W.
    # Decimal division could round; compare remainders as (total*w_i) mod W on exact Decimals instead.
    scaled = [Decimal(total) * w for w in weights]
    floors = [int((s / weight_sum).to_integral_value(rounding=ROUND_FLOOR)) for s in scaled]
    # Guard against the rare rounding of the division itself: fix floors exactly.
    for i, s in enumerate(scaled):
        while floors[i] * weight_sum > s:
            floors[i] -= 1
        while (floors[i] + 1) * weight_sum <= s:
            floors[i] += 1
    remainders = [s - fl * weight_sum for s, fl in zip(scaled, floors, strict=False)]  # exact, in units of 1/W
    left = total - sum(floors)
    order = sorted(range(len(figures)), key=lambda i: (-remainders[i], figures[i].township_code))
    tasks = list(floors)
    for i in order[:left]:
        tasks[i] += 1
    return [TownshipTask(f.township_code, f.township_name, r, t) for f, r, t in zip(figures, raws, tasks, strict=False)]


# --- the file form: allocate_tasks INPUT.csv ---------------------------------------------------

INPUT_COLUMNS = (
    "township_code",
    "township_name",
    "hukou_population",
    "moved_in",
    "moved_out",
    "births",
    "deaths",
    "employee_insured",
    "enrolled_elsewhere",
)
OUTPUT_COLUMNS = ("township_code", "raw", "task")


class AllocationInputError(ValueError):
    """A malformed input file: ``line`` is 1-based (the header is line 1), ``column`` the column name."""

    def __init__(self, line: int, column: str, message: str):
        self.line = line
        self.column = column
        self.message = message
        super().__init__(f"line {line}, column {column}: {message}")


def parse_allocation_rows(rows: list[list[str]]) -> list[TownshipFigures]:
    """``rows`` as read by csv.reader, header first."""
    if not rows:
        raise AllocationInputError(1, "township_code", "empty file, header expected")
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    missing = [c for c in INPUT_COLUMNS if c not in header]
    if missing:
        raise AllocationInputError(1, missing[0], "missing column")
    idx = {c: header.index(c) for c in INPUT_COLUMNS}
    out: list[TownshipFigures] = []
    seen: dict[str, int] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values: dict[str, object] = {}
        for col in INPUT_COLUMNS:
            i = idx[col]
            cell = row[i].strip() if i < len(row) else ""
            if col == "township_name":
                values[col] = cell
                continue
            if col == "township_code":
                if not (cell.isdigit() and len(cell) in (9, 12)):
                    raise AllocationInputError(lineno, col, f"expected a 9- or 12-digit division code, got {cell!r}")
                if cell in seen:
                    raise AllocationInputError(lineno, col, f"duplicate of line {seen[cell]}")
                seen[cell] = lineno
                values[col] = cell
                continue
            if not cell:
                raise AllocationInputError(lineno, col, "empty")
            try:
                n = int(cell)
            except ValueError:
                raise AllocationInputError(lineno, col, f"expected a whole number, got {cell!r}") from None
            if n < 0:
                raise AllocationInputError(lineno, col, f"must not be negative, got {n}")
            values[col] = n
        out.append(TownshipFigures(**values))  # type: ignore[arg-type]
    if not out:
        raise AllocationInputError(2, "township_code", "no data rows")
    return out


def format_output(tasks: list[TownshipTask]) -> list[list[str]]:
    return [list(OUTPUT_COLUMNS)] + [[t.township_code, f"{t.raw_2dp:.2f}", str(t.task)] for t in tasks]
