"""Properties of the warning and projection rules over generated figures."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fundbudget.rules import warnings as w
from fundbudget.rules.execution import Statement, execution
from fundbudget.rules.projection import run_rate, seasonal_ratio

money = st.decimals(min_value=0, max_value=Decimal("1e11"), places=2, allow_nan=False, allow_infinity=False)
signed = st.decimals(
    min_value=Decimal("-1e11"), max_value=Decimal("1e11"), places=2, allow_nan=False, allow_infinity=False
)
GRAVITY = {w.YELLOW: 0, w.ORANGE: 1, w.RED: 2}


@given(income=money, expenditure=money, balance=signed, month=st.integers(1, 12))
def test_one_warning_per_indicator_at_its_gravest_matching_level(income, expenditure, balance, month):
    ex = execution(Statement(2024, month, income, expenditure, balance))
    got = w.warnings_for(ex)
    assert len({x.indicator for x in got}) == len(got)
    values = w.indicator_values(ex)
    for x in got:
        matching = [r for r in w.DEFAULT_RULES if r.indicator == x.indicator and r.matches(values[x.indicator])]
        assert GRAVITY[x.level] == max(GRAVITY[r.level] for r in matching)
    # A deficit is flagged exactly when expenditure exceeds income.
    assert any(x.indicator == w.CURRENT_DEFICIT for x in got) == (expenditure > income)
    # Too few and too many months payable never both.
    assert not {w.MONTHS_PAYABLE_LOW, w.MONTHS_PAYABLE_HIGH} <= {x.indicator for x in got}


@given(
    monthly=st.decimals(min_value=1, max_value=Decimal("1e9"), places=2),
    months=st.integers(1, 12),
    available=st.decimals(min_value=1, max_value=Decimal("1e11"), places=2),
)
def test_a_flat_year_projects_the_same_both_ways(monthly, months, available):
    ytd = monthly * months
    seasonal = seasonal_ratio(
        ytd=ytd, last_year_same_months=monthly * months, last_year_full_year=monthly * 12, available_fund=available
    )
    assert seasonal.projected == run_rate(ytd=ytd, months=months, available_fund=available).projected
