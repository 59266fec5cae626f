import pytest

from fundbudget import demo
from fundbudget.models import FundBudget, FundWarning, MonthlyStatement
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_demo_loads_seed_004_and_is_idempotent(make_user):
    make_user(Role.FUND)
    demo.load()
    assert FundBudget.objects.count() == 3
    assert MonthlyStatement.objects.count() == 3 * 16
    april = {w.indicator: w.level for w in FundWarning.objects.filter(year=2024, month=4, fund="resident")}
    assert april == {"current_deficit": "orange", "months_payable_low": "orange"}
    april = {w.indicator: w.level for w in FundWarning.objects.filter(year=2024, month=4, fund="employee")}
    assert april == {"months_payable_high": "yellow"}
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
