"""Beside each statement, what the portal's own settlements add up to (claims' selectors), and the
average cost per admission by hospital level against last year."""

from datetime import date
from decimal import Decimal as D

import pytest

from claims.models import Policy, PolicyVersion, Settlement
from claims.services import monthly_stats_refresh
from fundbudget import selectors, services
from tests.factories import InstitutionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.service]


@pytest.fixture
def settle(db):
    policy = Policy.objects.create(code="test-resident", name="测试政策", scheme="resident", year=2024)
    version = PolicyVersion.objects.create(policy=policy, number=1, document={}, digest="x")
    hospital = InstitutionFactory()
    counter = iter(range(1, 10_000))

    def make(*, settled_on, level, total, fund_paid, kind="inpatient", critical="0", scheme="resident"):
        inpatient = kind.startswith("inpatient")
        settlement = Settlement.objects.create(
            number=f"S{next(counter):06d}",
            institution=hospital,
            id_number="500116199001011234",
            name="张三",
            sex="M",
            birth_date=date(1990, 1, 1),
            scheme=scheme,
            kind=kind,
            hospital_level=level,
            admitted_on=settled_on,
            discharged_on=settled_on if inpatient else None,
            settled_on=settled_on,
            total_cost=D(total),
            in_scope_cost=D(total),
            deductible=D("0"),
            fund_paid=D(fund_paid),
            critical_paid=D(critical),
            personal_paid=D(total) - D(fund_paid) - D(critical),
            policy_version=version,
        )
        # as a claims import does after writing its settlements: the figures other apps read are rebuilt
        monthly_stats_refresh(year=settled_on.year)
        return settlement

    return make


def test_reconciliation_and_average_cost_by_level(fund_user, settle, api_as):
    # 2024 Jan–Apr: two township admissions (2,000 and 4,000), one county (9,000), one general outpatient visit.
    settle(settled_on=date(2024, 1, 10), level=1, total="2000", fund_paid="1500")
    settle(settled_on=date(2024, 3, 5), level=1, total="4000", fund_paid="3000", critical="200")
    settle(settled_on=date(2024, 4, 20), level=2, total="9000", fund_paid="6000")
    settle(settled_on=date(2024, 4, 21), level=1, total="100", fund_paid="50", kind="outpatient_general")
    settle(settled_on=date(2024, 5, 2), level=2, total="9999", fund_paid="9000")  # after April: not counted
    settle(settled_on=date(2024, 2, 2), level=2, total="777", fund_paid="700", scheme="employee")  # other fund
    # 2023 same months: one township admission at 2,400.
    settle(settled_on=date(2023, 2, 1), level=1, total="2400", fund_paid="1800")
    services.statement_save(
        actor=fund_user,
        fund="resident",
        year=2024,
        month=4,
        income_ytd="20000",
        expenditure_ytd="11000",
        accumulated_balance="50000",
        source="form",
    )
    report = selectors.execution_report(fund_user, year=2024, month=4, funds=["resident"])
    (f,) = report["funds"]
    r = f["reconciliation"]
    # Portal: 1,500 + 3,000 + 200 (critical) + 6,000 + 50 = 10,750; statement 11,000 → 250, 2.27 %.
    assert (r["portal_expenditure_ytd"], r["difference"], r["difference_share"]) == (D("10750"), D("250"), D("2.27"))
    levels = {row["level"]: row for row in f["levels"]}
    assert (levels[1]["count"], levels[1]["average_cost"], levels[1]["last_year_average_cost"]) == (
        2,
        D("3000.00"),
        D("2400.00"),
    )
    assert levels[1]["average_cost_growth"] == D("25.00")
    assert (levels[2]["count"], levels[2]["average_cost"]) == (1, D("9000.00"))
    assert levels[1]["level_label"] == "乡镇卫生院住院"
    assert levels[1]["fund_paid"] == D("4500") and levels[1]["fund_paid_growth"] == D("150.00")
    assert levels[1]["fund_paid_share"] is None  # no budget yet
    # With a budget: the level's fund paid against the available fund and its own budget line.
    services.budget_save(
        actor=fund_user,
        fund="resident",
        year=2024,
        income={"personal": "100000"},
        expenditure={"inpatient_township": "9000", "critical_illness_premium": "10000"},
    )
    (f,) = selectors.execution_report(fund_user, year=2024, month=4, funds=["resident"])["funds"]
    lv1 = f["levels"][0]
    assert (lv1["fund_paid_share"], lv1["budget"], lv1["budget_progress"]) == (D("5.00"), D("9000"), D("50.00"))
    # The same figures through the API, as decimal strings.
    (api_f,) = api_as(fund_user).get("/api/v1/fundbudget/execution/?year=2024&month=4&fund=resident").json()["funds"]
    assert api_f["reconciliation"]["difference"] == "250.00"
    assert api_f["levels"][0]["average_cost"] == "3000.00"


def test_long_term_care_has_no_settlements_to_reconcile(fund_user):
    services.statement_save(
        actor=fund_user,
        fund="ltc",
        year=2024,
        month=4,
        income_ytd="1",
        expenditure_ytd="1",
        accumulated_balance="1",
        source="form",
    )
    (f,) = selectors.execution_report(fund_user, year=2024, month=4, funds=["ltc"])["funds"]
    assert f["reconciliation"] is None and f["levels"] == []


def test_fund_execution_contract_for_replies(fund_user, make_user):
    for fund, inc, exp, acc in [("resident", "45548100", "63866100", "51872000")]:
        st = services.statement_save(
            actor=fund_user,
            fund=fund,
            year=2024,
            month=4,
            income_ytd=inc,
            expenditure_ytd=exp,
            accumulated_balance=acc,
            source="form",
        ).statement
        services.warnings_evaluate(statement_id=st.pk)
    fig = selectors.fund_execution(user=fund_user, fund="resident", year=2024, month=4)
    assert fig["current_balance"] == D("-18318000.00") and fig["months_payable"] == D("3.25")
    assert fig["fund_label"] == "城乡居民基本医疗保险基金"
    assert {w["indicator"] for w in fig["warnings"]} == {"current_deficit", "months_payable_low"}
    assert selectors.fund_execution(user=fund_user, fund="resident", year=2024, month=5) == {}
    assert selectors.fund_execution(user=make_user("office"), fund="resident", year=2024, month=4)[
        "months_payable"
    ] == D("3.25")
    assert selectors.fund_execution(user=make_user("claims"), fund="resident", year=2024, month=4) == {}


def test_statement_list_shows_the_portal_figure_beside_each_statement(fund_user, settle, client_as):
    settle(settled_on=date(2024, 1, 10), level=1, total="2000", fund_paid="1500")
    settle(settled_on=date(2024, 2, 10), level=1, total="2000", fund_paid="1000")
    for m, exp in ((1, "1600"), (2, "2600")):
        services.statement_save(
            actor=fund_user,
            fund="resident",
            year=2024,
            month=m,
            income_ytd="9000",
            expenditure_ytd=exp,
            accumulated_balance="50000",
            source="form",
        )
    rows = selectors.statements_with_reconciliation(selectors.statement_list(fund_user))
    got = {
        r["statement"].month: (r["reconciliation"].portal_expenditure_ytd, r["reconciliation"].difference) for r in rows
    }
    assert got == {1: (D("1500"), D("100")), 2: (D("2500"), D("100"))}
    page = client_as(fund_user).get("/fundbudget/statements/").content.decode()
    assert "2500.00" in page and "100.00（3.85%）" in page
