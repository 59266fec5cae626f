import pytest

from fundbudget import demo
from fundbudget.models import FundBudget, FundWarning, MonthlyStatement
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_demo_loads_seed_004_and_is_idempotent(make_user):
    make_user(Role.FUND)
    demo.load()
    assert FundBudget.objects.count() == 4
    assert MonthlyStatement.objects.count() == 3 * 16 + 3
    april = {w.indicator: w.level for w in FundWarning.objects.filter(year=2024, month=4, fund="resident")}
    assert april == {"current_deficit": "orange", "months_payable_low": "orange"}
    april = {w.indicator: w.level for w in FundWarning.objects.filter(year=2024, month=4, fund="employee")}
    assert april == {"months_payable_high": "yellow"}
    # Seed 003 篇8's half year: 69.98 % of the available fund, forecast 139.96 % by run rate.
    from fundbudget import selectors

    fund_user = make_user(Role.FUND)
    (f,) = selectors.execution_report(fund_user, year=2018, month=6, funds=["resident"], with_claims=False)["funds"]
    assert str(f["execution"]["available_fund_used"]) == "69.98"
    assert [str(p["share_of_available"]) for p in f["projections"]] == ["144.93", "139.96"]
    half = {w.indicator: w.level for w in FundWarning.objects.filter(year=2018, month=6)}
    assert half == {
        "months_payable_low": "red",
        "expenditure_outpacing_income": "orange",
        "execution_ahead_of_time": "yellow",
    }
    snapshot = (
        list(MonthlyStatement.objects.order_by("pk").values()),
        list(FundWarning.objects.order_by("pk").values()),
        AuditLog.objects.count(),
    )
    demo.load()
    assert snapshot == (
        list(MonthlyStatement.objects.order_by("pk").values()),
        list(FundWarning.objects.order_by("pk").values()),
        AuditLog.objects.count(),
    )
