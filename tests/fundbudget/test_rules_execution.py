"""Execution figures and projections on hand-computed series (seed 003 篇8, seed 004 一)."""

from decimal import Decimal as D

import pytest

from fundbudget.rules.execution import (
    LevelFigures,
    Statement,
    average_cost_by_level,
    budget_totals,
    execution,
    monthly_amounts,
    months_payable,
)
from fundbudget.rules.projection import RUN_RATE, SEASONAL, projections, run_rate, seasonal_ratio
from fundbudget.rules.reconciliation import reconcile

# Seed 003 篇8: 2018 resident fund, 22,736.35 万元 raised, 1,948.83 万元 critical-illness premium,
# 20,787.52 万元 available; 14,547.48 万元 spent in the first half (69.98 %); 2017 H1 8,691.87 万元.
SEED_003_BUDGET = budget_totals(
    income={
        "central_subsidy": D("115629270"),
        "provincial_subsidy": D("37548458"),
        "county_subsidy": D("5976722"),
        "personal": D("68209050"),
    },
    expenditure={
        "critical_illness_premium": D("19488300"),
        "inpatient_county": D("150000000"),
        "general_outpatient": D("20000000"),
        "chronic_outpatient": D("18000000"),
    },
)


def test_budget_totals_available_fund_excludes_the_premium():
    assert SEED_003_BUDGET.income_total == D("227363500")
    assert SEED_003_BUDGET.available_fund == D("207875200")
    assert SEED_003_BUDGET.expenditure_total == D("207488300")


def test_seed_003_half_year_share_of_available_fund_and_growth():
    st = Statement(2018, 6, D("100000000"), D("145474800"), D("0"))
    last = Statement(2017, 6, D("90000000"), D("86918700"), D("0"))
    ex = execution(st, budget=SEED_003_BUDGET, last_year=last)
    assert ex.available_fund_used == D("69.98")
    assert ex.time_progress == D("50.00")
    assert ex.expenditure_growth == D("67.37")  # seed: 增幅达67.37%
    assert ex.income_growth == D("11.11")
    assert ex.growth_gap == D("56.26")


def test_seed_003_forecast_run_rate():
    p = run_rate(ytd=D("145474800"), months=6, available_fund=D("207875200"))
    assert p.method == RUN_RATE
    assert p.projected == D("290949600.00")
    assert p.share_of_available == D("139.96")  # seed: 全年基金支出将达到139.96%
    assert p.over_available == D("83074400.00")


def test_seasonal_ratio_on_a_hand_computed_series():
    # Last year: 40 in Jan–Mar, 200 in the whole year. This year 50 in Jan–Mar → 50 × 200 / 40 = 250.
    p = seasonal_ratio(
        ytd=D("50"), last_year_same_months=D("40"), last_year_full_year=D("200"), available_fund=D("200")
    )
    assert (p.method, p.projected, p.share_of_available, p.over_available) == (
        SEASONAL,
        D("250.00"),
        D("125.00"),
        D("50.00"),
    )
    seasonal, rr = projections(
        ytd=D("50"), months=3, available_fund=D("250"), last_year_same_months=D("40"), last_year_full_year=D("200")
    )
    assert seasonal.share_of_available == D("100.00")
    assert (rr.projected, rr.share_of_available) == (D("200.00"), D("80.00"))


@pytest.mark.parametrize(
    ("same", "full", "available"),
    [(None, D("200"), D("200")), (D("0"), D("200"), D("200")), (D("40"), None, D("200"))],
)
def test_seasonal_ratio_without_last_year_is_not_computed(same, full, available):
    p = seasonal_ratio(ytd=D("50"), last_year_same_months=same, last_year_full_year=full, available_fund=available)
    assert (p.projected, p.share_of_available) == (None, None)


def test_projection_without_available_fund_gives_amount_only():
    p = run_rate(ytd=D("30"), months=3, available_fund=None)
    assert (p.projected, p.share_of_available, p.over_available) == (D("120.00"), None, None)
    with pytest.raises(ValueError):
        run_rate(ytd=D("30"), months=0, available_fund=None)


@pytest.mark.parametrize(
    ("balance", "expenditure", "months", "expected"),
    [
        (D("581000000"), D("51730500"), 4, D("44.93")),  # seed 004 employee
        (D("51872000"), D("63866100"), 4, D("3.25")),  # seed 004 resident
        (D("300"), D("1200"), 12, D("3.00")),
        (D("100"), D("0"), 3, None),
        (D("-100"), D("100"), 1, D("-1.00")),
    ],
)
def test_months_payable(balance, expenditure, months, expected):
    assert months_payable(accumulated_balance=balance, expenditure_ytd=expenditure, months=months) == expected


def test_execution_without_budget_or_last_year():
    ex = execution(Statement(2024, 3, D("10"), D("12"), D("30")))
    assert ex.current_balance == D("-2")
    assert ex.time_progress == D("25.00")
    assert ex.months_payable == D("7.50")
    assert ex.available_fund_used is ex.execution_gap is ex.income_growth is ex.growth_gap is None


def test_execution_gap_and_progress():
    budget = budget_totals(income={"personal": D("1200")}, expenditure={"general_outpatient": D("1000")})
    ex = execution(Statement(2024, 3, D("300"), D("400"), D("0")), budget=budget)
    assert ex.income_progress == D("25.00")
    assert ex.expenditure_progress == D("40.00")
    assert ex.execution_gap == D("15.00")
    assert ex.available_fund_used == D("33.33")


def test_last_year_must_be_the_same_month():
    with pytest.raises(ValueError):
        execution(Statement(2024, 3, D("1"), D("1"), D("1")), last_year=Statement(2023, 4, D("1"), D("1"), D("1")))
    with pytest.raises(ValueError):
        Statement(2024, 13, D("1"), D("1"), D("1"))


def test_monthly_amounts_from_ytd():
    assert monthly_amounts({1: D("10"), 2: D("25"), 3: D("45"), 5: D("80")}) == {1: D("10"), 2: D("15"), 3: D("20")}


def test_average_cost_by_level_seed_003_township():
    # Seed 003 篇8: township inpatient 11,649 admissions at 1,984.65 yuan; 2017 8,872 at 1,452.99 → +36.59 %.
    cur = {1: LevelFigures(11649, D("1984.65") * 11649, D("0")), 2: LevelFigures(0, D("0"), D("0"))}
    last = {1: LevelFigures(8872, D("1452.99") * 8872, D("0"))}
    rows = {r.level: r for r in average_cost_by_level(cur, last)}
    assert rows[1].average_cost == D("1984.65")
    assert rows[1].average_cost_growth == D("36.59")
    assert rows[1].count_growth == D("31.30")
    assert rows[2].average_cost is None and rows[2].last_year_count is None


def test_reconcile():
    r = reconcile(
        month=3,
        statement_expenditure_ytd=D("1000"),
        portal_by_month={1: D("300"), 2: D("300"), 3: D("350"), 4: D("999")},
    )
    assert (r.portal_expenditure_ytd, r.difference, r.difference_share) == (D("950"), D("50"), D("5.00"))


def test_level_fund_paid_against_available_fund_and_budget_seed_003():
    # Seed 003 篇8: township inpatient fund paid 1,866.16 万元 of 20,787.52 万元 available (8.977 %);
    # 2017 same months 1,012.35 万元 (+84.337 %). The seed truncates these two (8.97 %, 84.33 %) but
    # rounds others (67.369 % → 67.37 %); the portal rounds half-up everywhere.
    cur = {1: LevelFigures(11649, D("0"), D("18661600"))}
    last = {1: LevelFigures(8872, D("0"), D("10123500"))}
    (row,) = average_cost_by_level(cur, last, available_fund=D("207875200"), budget_by_level={1: D("30000000")})
    assert row.fund_paid_share == D("8.98")
    assert row.fund_paid_growth == D("84.34")
    assert (row.budget, row.budget_progress) == (D("30000000"), D("62.21"))
    (row,) = average_cost_by_level(cur)
    assert row.fund_paid_share is row.budget_progress is row.fund_paid_growth is None


def test_ytd_decreases():
    from fundbudget.rules.execution import ytd_decreases

    assert ytd_decreases({1: D("10"), 2: D("9"), 4: D("20"), 5: D("20"), 6: D("19.99")}) == {2, 6}
    assert ytd_decreases({}) == set()
