"""Execution figures of one fund at the end of a month (seed 004 一, seed 003 篇8).

Fetch everything first (statement, budget, last year's statement), then call `execution()`:
it computes without the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .numbers import ZERO, growth, percent, q2

# The expenditure category paid to the commercial insurer for critical-illness and accident
# cover: it leaves the fund at once, so it is not part of the fund "available" for benefits
# (seed 003 篇8: 22,736.35 万元 raised − 1,948.83 万元 premium = 20,787.52 万元 available).
CRITICAL_ILLNESS_PREMIUM = "critical_illness_premium"


@dataclass(frozen=True)
class BudgetTotals:
    income_total: Decimal
    expenditure_total: Decimal
    available_fund: Decimal


def budget_totals(*, income: Mapping[str, Decimal], expenditure: Mapping[str, Decimal]) -> BudgetTotals:
    """Totals of a yearly budget given its income lines by source and expenditure lines by category.

    The available fund is the income less the critical-illness premium paid to the insurer.
    """
    income_total = sum((Decimal(v) for v in income.values()), ZERO)
    expenditure_total = sum((Decimal(v) for v in expenditure.values()), ZERO)
    premium = Decimal(expenditure.get(CRITICAL_ILLNESS_PREMIUM, ZERO))
    return BudgetTotals(
        income_total=income_total,
        expenditure_total=expenditure_total,
        available_fund=income_total - premium,
    )


@dataclass(frozen=True)
class Statement:
    """A monthly statement: year-to-date figures at the end of `month` (1–12)."""

    year: int
    month: int
    income_ytd: Decimal
    expenditure_ytd: Decimal
    accumulated_balance: Decimal

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1–12, got {self.month}")


@dataclass(frozen=True)
class Execution:
    year: int
    month: int
    income_ytd: Decimal
    expenditure_ytd: Decimal
    current_balance: Decimal  # income_ytd − expenditure_ytd (当期结余)
    accumulated_balance: Decimal  # 累计结余
    time_progress: Decimal  # months elapsed ÷ 12, percent
    months_payable: Decimal | None  # accumulated ÷ average monthly expenditure, 2 decimals
    income_budget: Decimal | None
    expenditure_budget: Decimal | None
    available_fund: Decimal | None
    income_progress: Decimal | None  # income_ytd ÷ income budget, percent
    expenditure_progress: Decimal | None  # expenditure_ytd ÷ expenditure budget, percent
    available_fund_used: Decimal | None  # expenditure_ytd ÷ available fund, percent (69.98 %)
    execution_gap: Decimal | None  # expenditure_progress − time_progress, points
    last_year_income_ytd: Decimal | None
    last_year_expenditure_ytd: Decimal | None
    income_growth: Decimal | None  # against the same months last year, percent
    expenditure_growth: Decimal | None
    growth_gap: Decimal | None  # expenditure growth − income growth, points


def months_payable(*, accumulated_balance: Decimal, expenditure_ytd: Decimal, months: int) -> Decimal | None:
    """累计结存可支付月数: accumulated balance ÷ (expenditure_ytd ÷ months), 2 decimals."""
    if expenditure_ytd <= 0 or months <= 0:
        return None
    return q2(Decimal(accumulated_balance) * months / Decimal(expenditure_ytd))


def execution(
    statement: Statement,
    *,
    budget: BudgetTotals | None = None,
    last_year: Statement | None = None,
) -> Execution:
    """Every execution figure of a statement; figures whose inputs are missing are None."""
    if last_year is not None and (last_year.month != statement.month or last_year.year != statement.year - 1):
        raise ValueError("last_year must be the statement of the same month of the previous year")
    m = statement.month
    time_progress = q2(Decimal(m) * 100 / 12)
    # Unrounded differences are rounded once, so a shown figure is the compared figure.
    exp_progress = percent(statement.expenditure_ytd, budget.expenditure_total) if budget else None
    execution_gap = (
        q2(Decimal(statement.expenditure_ytd) * 100 / budget.expenditure_total - Decimal(m) * 100 / 12)
        if budget and budget.expenditure_total
        else None
    )
    income_growth = growth(statement.income_ytd, last_year.income_ytd) if last_year else None
    expenditure_growth = growth(statement.expenditure_ytd, last_year.expenditure_ytd) if last_year else None
    growth_gap = (
        q2(
            (
                Decimal(statement.expenditure_ytd) / last_year.expenditure_ytd
                - Decimal(statement.income_ytd) / last_year.income_ytd
            )
            * 100
        )
        if last_year and last_year.expenditure_ytd and last_year.income_ytd
        else None
    )
    return Execution(
        year=statement.year,
        month=m,
        income_ytd=statement.income_ytd,
        expenditure_ytd=statement.expenditure_ytd,
        current_balance=statement.income_ytd - statement.expenditure_ytd,
        accumulated_balance=statement.accumulated_balance,
        time_progress=time_progress,
        months_payable=months_payable(
            accumulated_balance=statement.accumulated_balance,
            expenditure_ytd=statement.expenditure_ytd,
            months=m,
        ),
        income_budget=budget.income_total if budget else None,
        expenditure_budget=budget.expenditure_total if budget else None,
        available_fund=budget.available_fund if budget else None,
        income_progress=percent(statement.income_ytd, budget.income_total) if budget else None,
        expenditure_progress=exp_progress,
        available_fund_used=percent(statement.expenditure_ytd, budget.available_fund) if budget else None,
        execution_gap=execution_gap,
        last_year_income_ytd=last_year.income_ytd if last_year else None,
        last_year_expenditure_ytd=last_year.expenditure_ytd if last_year else None,
        income_growth=income_growth,
        expenditure_growth=expenditure_growth,
        growth_gap=growth_gap,
    )


def monthly_amounts(ytd_by_month: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """Each month's own amount from year-to-date figures (month − previous month).

    Only months whose previous month is known (or month 1) get an amount.
    """
    out: dict[int, Decimal] = {}
    for month in sorted(ytd_by_month):
        if month == 1:
            out[month] = Decimal(ytd_by_month[month])
        elif month - 1 in ytd_by_month:
            out[month] = Decimal(ytd_by_month[month]) - Decimal(ytd_by_month[month - 1])
    return out


@dataclass(frozen=True)
class LevelFigures:
    """Admissions at one hospital level over a period (from the portal's settlements)."""

    count: int
    total_cost: Decimal
    fund_paid: Decimal


@dataclass(frozen=True)
class LevelCost:
    level: int
    count: int
    total_cost: Decimal
    fund_paid: Decimal
    average_cost: Decimal | None  # 次均费用
    last_year_count: int | None
    last_year_average_cost: Decimal | None
    count_growth: Decimal | None
    average_cost_growth: Decimal | None
    last_year_fund_paid: Decimal | None = None
    fund_paid_growth: Decimal | None = None
    fund_paid_share: Decimal | None = None  # of the available fund, percent (seed 003 篇8: 8.97 %)
    budget: Decimal | None = None  # the year's inpatient budget line for this level
    budget_progress: Decimal | None = None  # fund_paid ÷ budget, percent


def average_cost_by_level(
    current: Mapping[int, LevelFigures],
    last_year: Mapping[int, LevelFigures] | None = None,
    *,
    available_fund: Decimal | None = None,
    budget_by_level: Mapping[int, Decimal] | None = None,
) -> list[LevelCost]:
    """Admissions by hospital level: average cost per admission and its growth against last year
    (seed 003 篇8 3), fund paid as a share of the available fund and against the level's budget line."""
    last_year = last_year or {}
    budget_by_level = budget_by_level or {}
    rows = []
    for level in sorted(set(current) | set(last_year)):
        cur = current.get(level, LevelFigures(0, ZERO, ZERO))
        prev = last_year.get(level)
        avg = q2(cur.total_cost / cur.count) if cur.count else None
        prev_avg = q2(prev.total_cost / prev.count) if prev and prev.count else None
        rows.append(
            LevelCost(
                level=level,
                count=cur.count,
                total_cost=cur.total_cost,
                fund_paid=cur.fund_paid,
                average_cost=avg,
                last_year_count=prev.count if prev else None,
                last_year_average_cost=prev_avg,
                count_growth=growth(Decimal(cur.count), Decimal(prev.count)) if prev else None,
                average_cost_growth=growth(avg, prev_avg) if avg is not None and prev_avg else None,
                last_year_fund_paid=prev.fund_paid if prev else None,
                fund_paid_growth=growth(cur.fund_paid, prev.fund_paid) if prev else None,
                fund_paid_share=percent(cur.fund_paid, available_fund),
                budget=budget_by_level.get(level),
                budget_progress=percent(cur.fund_paid, budget_by_level.get(level)),
            )
        )
    return rows


def ytd_decreases(ytd_by_month: Mapping[int, Decimal]) -> set[int]:
    """Months whose year-to-date figure is below the latest earlier month's: a likely entry error
    (or a refund that the finance department should explain)."""
    out, previous = set(), None
    for month in sorted(ytd_by_month):
        value = Decimal(ytd_by_month[month])
        if previous is not None and value < previous:
            out.add(month)
        previous = value
    return out
