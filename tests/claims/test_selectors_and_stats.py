"""Figures other apps read (fundbudget, replies), the statistics page/API/Excel, and scoping."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from claims.models import Settlement
from claims.selectors import admissions_by_level, fund_expenditure_by_month, policy_summary, settlement_stats
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from tests.claims.claims_db_helpers import hospitals, import_rows, load_policy, person, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(divisions):
    gx = load_policy("guanxian-2018")
    h = hospitals(divisions)
    import_rows(
        gx,
        [
            row("A1", h[2], person(1), divisions.village_a1, settled="2018-01-10", cost="8000"),
            row("A2", h[2], person(1), divisions.village_a1, settled="2018-03-10", cost="8000"),
            row("A3", h[3], person(3), divisions.village_b1, settled="2018-03-20", cost="10900"),
            row(
                "A4", h[1], person(5), divisions.village_b2, kind="outpatient_general", settled="2018-03-21", cost="100"
            ),
            row(
                "A5",
                h[2],
                person(7),
                divisions.village_a2,
                kind="inpatient_accident",
                settled="2018-07-01",
                cost="10500",
            ),
        ],
    )
    return divisions


def test_fund_expenditure_by_month(data):
    months = fund_expenditure_by_month(year=2018, scheme="resident")
    assert set(months) == set(range(1, 13))
    assert months[1] == Decimal("5250.00")
    assert months[3] == Decimal("5425.00") + Decimal("6000.00") + Decimal("50.00")
    assert months[7] == Decimal("5000.00")
    assert fund_expenditure_by_month(year=2018, scheme="employee")[3] == 0


def test_admissions_by_level(data):
    levels = admissions_by_level(year=2018, month_to=6, scheme="resident")
    assert levels[2] == {"count": 2, "total_cost": Decimal("16000.00"), "fund_paid": Decimal("10675.00")}
    assert levels[3]["count"] == 1 and levels[1]["count"] == 0 and levels[4]["count"] == 0
    assert admissions_by_level(year=2018, month_to=12, scheme="resident")[2]["count"] == 3


def test_policy_summary(data):
    s = policy_summary(code="guanxian-2018")
    assert s["version"] == 1
    assert s["benefits"]["inpatient"]["deductible"]["amount"][1]["value"] == "500"
    assert s["caps"]["outpatient_general"]["amount"] == "120"
    assert policy_summary(code="xx-district-2021")["version"] is None  # the shipped file


def test_stats_by_level_and_growth(data, make_user):
    leader = make_user(Role.LEADER)
    st = settlement_stats(leader, year=2018, month=6)
    inpatient = st["groups"][0]
    level2 = inpatient["levels"][1]
    assert (level2["count"], level2["fund_paid"], level2["average_cost"]) == (2, "10675.00", "8000.00")
    assert level2["count_growth"] is None  # no last year
    assert st["total"]["count"] == 4
    assert st["months"][2] == {"month": 3, "count": 3, "fund_paid": "11475.00", "last_year_fund_paid": "0.00"}


def test_stats_api_and_excel_same_figures(data, make_user, api_as, client_as):
    api = api_as(make_user(Role.API_CLIENT))
    r = api.get("/api/v1/claims/stats/?year=2018&month=6")
    assert r.status_code == 200
    body = r.json()
    assert body["groups"][0]["levels"][1]["fund_paid"] == "10675.00"
    assert api.get("/api/v1/claims/stats/?year=abc").status_code == 400

    client = client_as(make_user(Role.CLAIMS))
    page = client.get("/claims/stats/?year=2018&month=6")
    assert page.status_code == 200
    html = page.content.decode()
    assert "10675.00" in html and "echarts.min.js" in html and "chart-months" in html
    xlsx = client.get("/claims/stats.xlsx?year=2018&month=6")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    level2 = next(v for v in values if v[1] == "县级（二级）")
    assert level2[2] == 2 and Decimal(str(level2[4])) == Decimal("10675.00")


def test_township_user_sees_only_their_township(data, make_user, api_as, client_as):
    town_a = make_user(Role.TOWNSHIP, division=data.town_a)
    town_b = make_user(Role.TOWNSHIP, division=data.town_b)
    a = settlement_stats(town_a, year=2018)
    b = settlement_stats(town_b, year=2018)
    assert a["total"]["count"] == 3 and b["total"]["count"] == 2
    # township workers have no claims pages or personal claims API
    assert client_as(town_b).get("/claims/settlements/").status_code == 403
    assert api_as(town_b).get("/api/v1/claims/settlements/").status_code == 403


def test_settlement_list_masks_and_audits(data, make_user, api_as, client_as):
    staff = make_user(Role.CLAIMS)
    r = api_as(staff).get("/api/v1/claims/settlements/?year=2018")
    assert r.status_code == 200 and r.json()["count"] == 5
    assert r.json()["results"][0]["id_number"].isdigit()  # claims staff see the number
    assert AuditLog.objects.filter(object_type="claims.settlement", action="view").exists()
    s = Settlement.objects.get(number="A3")
    page = client_as(staff).get(f"/claims/settlements/{s.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert s.id_number in html and "统筹支付 (10900−900)×60% = 6000 元" in html


def test_settlement_page_masks_for_leaders_and_404_is_the_same(data, make_user, client_as):
    leader = make_user(Role.LEADER)
    s = Settlement.objects.get(number="A3")
    html = client_as(leader).get(f"/claims/settlements/{s.pk}/").content.decode()
    assert s.id_number not in html and s.id_number[:6] + "********" in html
    assert client_as(leader).get("/claims/settlements/999999/").status_code == 404


def test_settlement_list_query_count_does_not_grow_with_rows(data, make_user, api_as, django_assert_max_num_queries):
    api = api_as(make_user(Role.CLAIMS))
    with django_assert_max_num_queries(8):
        r = api.get("/api/v1/claims/settlements/?year=2018")
    assert r.status_code == 200
    assert r.json()["count"] == 5


def test_stats_query_count(data, make_user, django_assert_num_queries):
    leader = make_user(Role.LEADER)
    with django_assert_num_queries(4):
        settlement_stats(leader, year=2018, month=6)


def test_division_filters(data, make_user, api_as, client_as):
    api = api_as(make_user(Role.LEADER))
    a = api.get(f"/api/v1/claims/stats/?year=2018&division={data.town_a.code}").json()
    b = api.get(f"/api/v1/claims/stats/?year=2018&division={data.town_b.code}").json()
    assert (a["total"]["count"], b["total"]["count"]) == (3, 2)
    staff = api_as(make_user(Role.CLAIMS))
    rows = staff.get(f"/api/v1/claims/settlements/?division={data.village_b1.code}").json()
    assert [r["number"] for r in rows["results"]] == ["A3"]
    html = client_as(make_user(Role.CLAIMS)).get(f"/claims/settlements/?division={data.town_b.code}").content.decode()
    # settlement numbers as cell text (a bare "A1" can occur inside the page's random CSRF token)
    shown = set(re.findall(r">\s*(A\d)\s*<", html))
    assert {"A3", "A4"} <= shown and "A1" not in shown


def test_out_of_range_filters_are_ignored_not_a_server_error(data, make_user, api_as, client_as):
    """month=13 or year=99999 used to reach date() and fail with a 500 on the list page and the API."""
    staff = make_user(Role.CLAIMS)
    for q in ("year=2018&month=13", "year=99999", "year=2018&level=99999999999", "month=%C2%B2"):
        r = api_as(staff).get(f"/api/v1/claims/settlements/?{q}")
        assert r.status_code == 200, q
        assert client_as(staff).get(f"/claims/settlements/?{q}").status_code == 200, q
    assert api_as(staff).get("/api/v1/claims/settlements/?year=2018&month=13").json()["count"] == 5
    leader = make_user(Role.LEADER)
    assert client_as(leader).get("/claims/stats/?year=99999999999&month=13").status_code == 200
