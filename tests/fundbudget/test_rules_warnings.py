"""Warning rules, table-driven at and beside every default threshold (the fund rules; defaults in migration 0002)."""

from decimal import Decimal as D

import pytest

from fundbudget.rules import warnings as w
from fundbudget.rules.execution import BudgetTotals, Statement, execution


def levels(values):
    return {x.indicator: x.level for x in w.evaluate(values)}


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [
        # current_deficit: value < 0 → orange
        (w.CURRENT_DEFICIT, D("-0.01"), w.ORANGE),
        (w.CURRENT_DEFICIT, D("0"), None),
        (w.CURRENT_DEFICIT, D("0.01"), None),
        (w.CURRENT_DEFICIT, D("-18318000"), w.ORANGE),
        # months_payable_low: < 3 → red; 3 to under 6 → orange
        (w.MONTHS_PAYABLE_LOW, D("0"), w.RED),
        (w.MONTHS_PAYABLE_LOW, D("2.99"), w.RED),
        (w.MONTHS_PAYABLE_LOW, D("3.00"), w.ORANGE),
        (w.MONTHS_PAYABLE_LOW, D("3.01"), w.ORANGE),
        (w.MONTHS_PAYABLE_LOW, D("5.99"), w.ORANGE),
        (w.MONTHS_PAYABLE_LOW, D("6.00"), None),
        (w.MONTHS_PAYABLE_LOW, D("6.01"), None),
        # months_payable_high: > 15 → yellow
        (w.MONTHS_PAYABLE_HIGH, D("14.99"), None),
        (w.MONTHS_PAYABLE_HIGH, D("15.00"), None),
        (w.MONTHS_PAYABLE_HIGH, D("15.01"), w.YELLOW),
        # expenditure_outpacing_income: > 5 → yellow; > 15 → orange
        (w.EXPENDITURE_OUTPACING_INCOME, D("4.99"), None),
        (w.EXPENDITURE_OUTPACING_INCOME, D("5.00"), None),
        (w.EXPENDITURE_OUTPACING_INCOME, D("5.01"), w.YELLOW),
        (w.EXPENDITURE_OUTPACING_INCOME, D("14.99"), w.YELLOW),
        (w.EXPENDITURE_OUTPACING_INCOME, D("15.00"), w.YELLOW),
        (w.EXPENDITURE_OUTPACING_INCOME, D("15.01"), w.ORANGE),
        (w.EXPENDITURE_OUTPACING_INCOME, D("-20"), None),
        # execution_ahead_of_time: > 10 → yellow; > 20 → orange
        (w.EXECUTION_AHEAD_OF_TIME, D("9.99"), None),
        (w.EXECUTION_AHEAD_OF_TIME, D("10.00"), None),
        (w.EXECUTION_AHEAD_OF_TIME, D("10.01"), w.YELLOW),
        (w.EXECUTION_AHEAD_OF_TIME, D("19.99"), w.YELLOW),
        (w.EXECUTION_AHEAD_OF_TIME, D("20.00"), w.YELLOW),
        (w.EXECUTION_AHEAD_OF_TIME, D("20.01"), w.ORANGE),
    ],
)
def test_default_thresholds(indicator, value, expected):
    got = w.evaluate({indicator: value})
    if expected is None:
        assert got == []
    else:
        assert [(x.indicator, x.value, x.level) for x in got] == [(indicator, value, expected)]


def test_missing_value_is_not_evaluated():
    assert w.evaluate({i: None for i in w.INDICATORS}) == []
    assert w.evaluate({}) == []


def test_gravest_matching_rule_wins_and_reports_its_threshold():
    (got,) = w.evaluate({w.MONTHS_PAYABLE_LOW: D("1.5")})
    assert (got.level, got.comparison, got.threshold) == (w.RED, w.LT, D("3"))


def test_rules_are_data():
    rules = [w.Rule(w.MONTHS_PAYABLE_HIGH, w.GE, D("12"), w.ORANGE)]
    assert levels({w.MONTHS_PAYABLE_HIGH: D("12")}) == {}  # default says > 15
    assert [x.level for x in w.evaluate({w.MONTHS_PAYABLE_HIGH: D("12")}, rules)] == [w.ORANGE]
    with pytest.raises(ValueError, match="indicator"):
        w.Rule("nonsense", w.GT, D("1"), w.RED)
    with pytest.raises(ValueError, match="level"):
        w.Rule(w.CURRENT_DEFICIT, w.GT, D("1"), "purple")
    with pytest.raises(ValueError, match="comparison"):
        w.Rule(w.CURRENT_DEFICIT, "eq", D("1"), w.RED)


# Seed 004 (一): Dongtou, end of April 2024, and the warnings the domain page says they give.
SEED_004 = [
    (
        "employee",
        Statement(2024, 4, D("74915100"), D("51730500"), D("581000000")),
        D("23184600"),
        D("44.93"),
        {w.MONTHS_PAYABLE_HIGH: w.YELLOW},
    ),
    (
        "resident",
        Statement(2024, 4, D("45548100"), D("63866100"), D("51872000")),
        D("-18318000"),
        D("3.25"),
        {w.CURRENT_DEFICIT: w.ORANGE, w.MONTHS_PAYABLE_LOW: w.ORANGE},
    ),
]


@pytest.mark.parametrize(("fund", "statement", "balance", "months", "expected"), SEED_004)
def test_seed_004_gives_the_domain_page_warnings(fund, statement, balance, months, expected):
    ex = execution(statement)
    assert ex.current_balance == balance
    assert ex.months_payable == months
    got = w.warnings_for(ex)
    assert {x.indicator: x.level for x in got} == expected
    values = {x.indicator: x.value for x in got}
    if fund == "resident":
        assert values == {w.CURRENT_DEFICIT: balance, w.MONTHS_PAYABLE_LOW: months}
    else:
        assert values == {w.MONTHS_PAYABLE_HIGH: months}


def test_growth_and_budget_indicators_from_an_execution():
    # Same months last year: income 100 → 105 (+5 %), expenditure 100 → 121 (+21 %): gap 16 points.
    st = Statement(2024, 6, D("105"), D("121"), D("2000"))
    last = Statement(2023, 6, D("100"), D("100"), D("1900"))
    # Expenditure budget 165: 121/165 = 73.33 % against 50 % of the year: 23.33 points ahead.
    budget = BudgetTotals(D("200"), D("165"), D("200"))
    got = {x.indicator: (x.value, x.level) for x in w.warnings_for(execution(st, budget=budget, last_year=last))}
    assert got[w.EXPENDITURE_OUTPACING_INCOME] == (D("16.00"), w.ORANGE)
    assert got[w.EXECUTION_AHEAD_OF_TIME] == (D("23.33"), w.ORANGE)
    # Without the budget and last year those two are not evaluated.
    got = {x.indicator for x in w.warnings_for(execution(st))}
    assert got.isdisjoint({w.EXPENDITURE_OUTPACING_INCOME, w.EXECUTION_AHEAD_OF_TIME})
