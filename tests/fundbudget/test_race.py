"""Two real connections save the same new month at once: the second waits, then replaces — no error,
one row, both audited."""

import threading
from decimal import Decimal as D

import pytest
from django.db import transaction

from fundbudget import services
from fundbudget.models import MonthlyStatement
from medinsure.audit.models import AuditLog
from tests.races import Race, split

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service]


def test_concurrent_create_of_the_same_month(fund_user):
    created = threading.Event()
    release = threading.Event()

    def first():
        with transaction.atomic():
            out = services._statement_upsert(
                actor=fund_user,
                fund="resident",
                year=2024,
                month=4,
                source="api",
                amounts={"income_ytd": D("1.00"), "expenditure_ytd": D("2.00"), "accumulated_balance": D("3.00")},
            )
            created.set()
            release.wait(10)  # hold the uncommitted row while the second request tries to insert
        return out.outcome

    def second():
        created.wait(10)
        out = services.statement_save(
            actor=fund_user,
            fund="resident",
            year=2024,
            month=4,
            source="form",
            income_ytd="45548100",
            expenditure_ytd="63866100",
            accumulated_balance="51872000",
        )
        return out.outcome

    both = Race(first, second, timeout=20).start()
    created.wait(10)
    assert both.running(1, wait=1.0), "the second insert must wait for the first transaction"
    release.set()
    outcomes = both.results()
    errors = split(outcomes)[1]
    results = dict(zip(("first", "second"), outcomes, strict=True))
    assert errors == []
    assert results == {"first": "created", "second": "updated"}
    st = MonthlyStatement.objects.get()
    assert (st.income_ytd, st.source) == (D("45548100.00"), "form")
    assert AuditLog.objects.filter(object_type="fundbudget.monthlystatement").count() == 2
