"""A real Celery worker evaluates the warnings after each statement is committed."""

import time

import pytest

from fundbudget.models import FundWarning, WarningNotice
from fundbudget.tasks import warnings_evaluate_task

from .factories import SEED_004

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service]


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_statement_post_raises_warnings_through_the_worker(celery_worker, fund_user, api_as):
    api = api_as(fund_user)
    for fund in ("employee", "resident"):
        r = api.post(
            "/api/v1/fundbudget/statements/", {"fund": fund, "year": 2024, "month": 4, **SEED_004[fund]}, format="json"
        )
        assert r.status_code == 201
    assert wait_for(lambda: FundWarning.objects.count() == 3)
    assert set(FundWarning.objects.values_list("fund", "indicator", "level")) == {
        ("employee", "months_payable_high", "yellow"),
        ("resident", "current_deficit", "orange"),
        ("resident", "months_payable_low", "orange"),
    }
    assert wait_for(lambda: WarningNotice.objects.filter(recipient=fund_user).count() == 3)
    # The task run twice changes nothing.
    st_id = FundWarning.objects.filter(fund="resident").first().statement_id
    assert warnings_evaluate_task.delay(st_id).get(timeout=30) == 2
    assert FundWarning.objects.count() == 3 and WarningNotice.objects.count() == 3
    # A corrected statement (surplus, 8 months payable) clears the resident warnings.
    api.post(
        "/api/v1/fundbudget/statements/",
        {
            "fund": "resident",
            "year": 2024,
            "month": 4,
            "income_ytd": "70000000",
            "expenditure_ytd": "60000000",
            "accumulated_balance": "120000000",
        },
        format="json",
    )
    assert wait_for(lambda: not FundWarning.objects.filter(fund="resident").exists())
