"""REST: create-or-replace statements, warnings and execution figures, scoped like the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundbudget import services
from fundbudget.models import MonthlyStatement
from medinsure.accounts.models import Role

from .factories import SEED_004

pytestmark = [pytest.mark.django_db, pytest.mark.service]

URL = "/api/v1/fundbudget/"


def post(api, fund, **over):
    return api.post(
        URL + "statements/", {"fund": fund, "year": 2024, "month": 4, **SEED_004[fund], **over}, format="json"
    )


def test_post_creates_then_replaces(fund_user, api_as):
    api = api_as(fund_user)
    r = post(api, "employee")
    assert r.status_code == 201, r.content
    assert r.json()["income_ytd"] == "74915100.00"
    r = post(api, "employee", income_ytd="74915100.10")
    assert r.status_code == 200 and r.json()["income_ytd"] == "74915100.10"
    assert MonthlyStatement.objects.get().source == "api"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"fund": "pension"}, "fund"),
        ({"month": 0}, "month"),
        ({"income_ytd": "-1.00"}, "income_ytd"),
        ({"expenditure_ytd": "1.001"}, "expenditure_ytd"),
        ({"accumulated_balance": "x"}, "accumulated_balance"),
    ],
)
def test_post_bad_input_names_the_field(fund_user, api_as, over, field):
    api = api_as(fund_user)
    data = {"fund": "employee", "year": 2024, "month": 4, **SEED_004["employee"], **over}
    r = api.post(URL + "statements/", data, format="json")
    assert r.status_code == 400 and field in r.json()
    assert not MonthlyStatement.objects.exists()


def test_only_the_fund_department_posts_and_readers_are_limited(make_user, api_as, township_user, fund_user):
    for role in (Role.API_CLIENT, Role.CLAIMS, Role.LEADER):
        user = make_user(role)
        r = post(api_as(user), "employee")
        assert r.status_code == (201 if role == Role.LEADER else 403), role
    services.warnings_evaluate(statement_id=MonthlyStatement.objects.get().pk)
    # Statistics readers: the API client reads; a township worker and another department do not.
    assert api_as(make_user(Role.API_CLIENT)).get(URL + "warnings/?year=2024&month=4").status_code == 200
    for user in (township_user, make_user(Role.CLAIMS), make_user(Role.ENROLLMENT)):
        for path in ("warnings/", "statements/", "budgets/", "execution/?year=2024&month=4"):
            assert api_as(user).get(URL + path).status_code == 403, (user.role, path)


def test_warnings_endpoint_seed_004(fund_user, api_as):
    api = api_as(fund_user)
    for fund in ("employee", "resident"):
        post(api, fund)
    for st in MonthlyStatement.objects.all():
        services.warnings_evaluate(statement_id=st.pk)
    r = api.get(URL + "warnings/?year=2024&month=4")
    got = {(w["fund"], w["indicator"], w["value"], w["level"]) for w in r.json()["results"]}
    assert got == {
        ("employee", "months_payable_high", "44.93", "yellow"),
        ("resident", "current_deficit", "-18318000.00", "orange"),
        ("resident", "months_payable_low", "3.25", "orange"),
    }
    assert api.get(URL + "warnings/?year=2024&month=5").json()["results"] == []
    assert api.get(URL + "warnings/?level=purple").status_code == 400


def test_execution_endpoint_matches_the_rules_and_pins_queries(fund_user, api_as):
    services.budget_save(
        actor=fund_user,
        fund="resident",
        year=2018,
        income={
            "central_subsidy": "115629270",
            "provincial_subsidy": "37548458",
            "county_subsidy": "5976722",
            "personal": "68209050",
        },
        expenditure={
            "critical_illness_premium": "19488300",
            "inpatient_county": "150000000",
            "general_outpatient": "20000000",
            "chronic_outpatient": "18000000",
        },
    )
    api = api_as(fund_user)
    for y, m, inc, exp in [
        (2017, 6, "90000000", "86918700"),
        (2017, 12, "180000000", "173837400"),
        (2018, 6, "100000000", "145474800"),
    ]:
        services.statement_save(
            actor=fund_user,
            fund="resident",
            year=y,
            month=m,
            income_ytd=inc,
            expenditure_ytd=exp,
            accumulated_balance="50000000",
            source="form",
        )
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(URL + "execution/?year=2018&month=6&fund=resident")
    assert r.status_code == 200
    fixed = len(ctx.captured_queries)
    (f,) = r.json()["funds"]
    ex = f["execution"]
    assert ex["available_fund_used"] == "69.98"  # seed 003 篇8
    assert ex["expenditure_growth"] == "67.37"
    assert f["budget_totals"]["available_fund"] == "207875200.00"
    seasonal, run_rate = f["projections"]
    assert run_rate["share_of_available"] == "139.96"  # seed 003 篇8 forecast
    # 145,474,800 × 173,837,400 ÷ 86,918,700 = 290,949,600 → also 139.96 %
    assert seasonal["projected"] == "290949600.00" and seasonal["share_of_available"] == "139.96"
    assert [s["month"] for s in f["series"]] == [1, 2, 3, 4, 5, 6]
    # A fixed number of queries whatever the number of statements.
    for m in range(1, 6):
        services.statement_save(
            actor=fund_user,
            fund="resident",
            year=2018,
            month=m,
            income_ytd="1",
            expenditure_ytd=str(m),
            accumulated_balance="1",
            source="form",
        )
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(URL + "execution/?year=2018&month=6")
    assert r.status_code == 200
    assert len(ctx.captured_queries) == fixed
    assert api.get(URL + "execution/?year=2018").status_code == 400


def test_budgets_endpoint(fund_user, api_as):
    services.budget_save(
        actor=fund_user,
        fund="employee",
        year=2024,
        income={"employer": "100.50"},
        expenditure={"critical_illness_premium": "10", "other_expenditure": "80"},
    )
    (b,) = api_as(fund_user).get(URL + "budgets/?year=2024").json()["results"]
    assert b["totals"] == {"income_total": "100.50", "expenditure_total": "90.00", "available_fund": "90.50"}
    assert b["lines"]["income"] == [{"code": "employer", "label": "单位缴费", "amount": "100.50"}]


def test_schema_documents_the_endpoints(fund_user, client_as):
    r = client_as(fund_user).get("/api/schema/")
    text = r.content.decode()
    for path in (
        "/api/v1/fundbudget/statements/",
        "/api/v1/fundbudget/warnings/",
        "/api/v1/fundbudget/execution/",
        "/api/v1/fundbudget/budgets/",
    ):
        assert path in text


def test_division_filter_names_the_district_only(fund_user, api_as, divisions):
    api = api_as(fund_user)
    post(api, "employee")
    for path in ("statements/", "warnings/", "budgets/", "execution/?year=2024&month=4"):
        sep = "&" if "?" in path else "?"
        ok = api.get(f"{URL}{path}{sep}division={divisions.district.code}")
        assert ok.status_code == 200, path
        bad = api.get(f"{URL}{path}{sep}division={divisions.town_a.code}")
        assert bad.status_code == 400 and "division" in bad.json(), path
    r = api.get(f"{URL}statements/?division={divisions.district.code}")
    assert r.json()["count"] == 1


def test_rules_endpoint_lists_the_thresholds(fund_user, api_as, township_user):
    rows = api_as(fund_user).get(URL + "rules/").json()
    got = {(r["indicator"], r["comparison"], r["threshold"], r["level"]) for r in rows}
    assert ("months_payable_low", "lt", "3.00", "red") in got and len(got) == 8
    assert api_as(township_user).get(URL + "rules/").status_code == 403
