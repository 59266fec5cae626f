"""Full-year expenditure projection two ways, each as a share of the available fund.

- seasonal ratio (last year's shape): this year's months so far × last year's full year
  ÷ last year's same months;
- run rate: year to date ÷ months × 12.
Seed 003 篇8: 14,547.48 万元 in six months against 20,787.52 万元 available → 139.96 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .numbers import percent, q2

SEASONAL = "seasonal"
RUN_RATE = "run_rate"


@dataclass(frozen=True)
class Projection:
    method: str
    projected: Decimal | None  # full-year expenditure, yuan (2 decimals)
    share_of_available: Decimal | None  # percent of the available fund
    over_available: Decimal | None  # projected − available fund (negative: room left)


def _projection(method: str, projected: Decimal | None, available: Decimal | None) -> Projection:
    if projected is None:
        return Projection(method, None, None, None)
    projected = q2(projected)
    return Projection(
        method=method,
        projected=projected,
        share_of_available=percent(projected, available),
        over_available=projected - available if available is not None else None,
    )


def run_rate(*, ytd: Decimal, months: int, available_fund: Decimal | None) -> Projection:
    if not 1 <= months <= 12:
        raise ValueError(f"months must be 1–12, got {months}")
    return _projection(RUN_RATE, Decimal(ytd) / months * 12, available_fund)


def seasonal_ratio(
    *,
    ytd: Decimal,
    last_year_same_months: Decimal | None,
    last_year_full_year: Decimal | None,
    available_fund: Decimal | None,
) -> Projection:
    """None figures when last year's same months or full year are missing (or zero)."""
    if not last_year_same_months or last_year_full_year is None:
        return _projection(SEASONAL, None, available_fund)
    return _projection(
        SEASONAL, Decimal(ytd) * Decimal(last_year_full_year) / Decimal(last_year_same_months), available_fund
    )


def projections(
    *,
    ytd: Decimal,
    months: int,
    available_fund: Decimal | None,
    last_year_same_months: Decimal | None = None,
    last_year_full_year: Decimal | None = None,
) -> tuple[Projection, Projection]:
    """(seasonal, run rate)."""
    return (
        seasonal_ratio(
            ytd=ytd,
            last_year_same_months=last_year_same_months,
            last_year_full_year=last_year_full_year,
            available_fund=available_fund,
        ),
        run_rate(ytd=ytd, months=months, available_fund=available_fund),
    )
