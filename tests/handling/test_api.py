"""The REST face: receive, transitions by tracking number, list and detail (masked), the figures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from handling.models import Application
from medinsure.accounts.models import Role
from medinsure.masking import mask_id_number
from tests.handling.factories import covered_resident, points
from tests.handling.helpers import papers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(divisions, make_user):
    return {
        "points": points(divisions),
        "resident": covered_resident(1, divisions.village_a1),
        "town_a": make_user(Role.TOWNSHIP, division=divisions.town_a),
        "town_b": make_user(Role.TOWNSHIP, division=divisions.town_b),
        "leader": make_user(Role.LEADER),
    }


def test_an_application_through_the_api(world, api_as):
    w = world
    api = api_as(w["town_a"])
    r = api.post(
        "/api/v1/handling/applications/",
        {
            "point": w["points"]["town_a"].pk,
            "item": "cover_stop",
            "id_number": w["resident"].id_number,
            "applicant_name": "张三",
            "papers_received": ["居民身份证或户口簿"],
            "details": {"stopped_on": "2025-07-01", "reason": "出国定居"},
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    t = body["tracking_number"]
    assert body["missing_papers"] == ["停保原因证明"] and body["id_number"] == mask_id_number(w["resident"].id_number)
    r = api.post(f"/api/v1/handling/applications/{t}/accept/", {}, format="json")
    assert r.status_code == 400 and r.json() == {"papers_received": ["材料不全，请一次性补齐：停保原因证明"]}
    r = api.post(f"/api/v1/handling/applications/{t}/accept/", {"papers_received": papers("cover_stop")}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["due_on"]
    r = api.post(f"/api/v1/handling/applications/{t}/decide/", {"approve": True}, format="json")
    assert r.status_code == 200 and r.json()["result_ref"] == "自 2025-07-01 停保"
    assert api.post(f"/api/v1/handling/applications/{t}/finish/").json()["status"] == "finished"
    assert api.get(f"/api/v1/handling/applications/{t}/").json()["status"] == "finished"
    assert api.get("/api/v1/handling/applications/?status=finished").json()["count"] == 1
    assert api.get("/api/v1/handling/applications/?status=bogus").status_code == 400


def test_a_resident_of_another_area_is_refused_on_id_number(world, api_as, divisions):
    other = covered_resident(2, divisions.village_b1)
    r = api_as(world["town_a"]).post(
        "/api/v1/handling/applications/",
        {
            "point": world["points"]["town_a"].pk,
            "item": "record_print",
            "id_number": other.id_number,
            "applicant_name": "李四",
        },
        format="json",
    )
    assert r.status_code == 400 and list(r.json()) == ["id_number"]


def _make(point, resident, item_code, status, *, due=None, finished_days=None):
    from handling.models import HandlingItem

    today = timezone.localdate()
    n = Application.objects.count() + 1
    return Application.objects.create(
        tracking_number=f"T{n:05d}",
        item=HandlingItem.objects.get(code=item_code),
        point=point,
        division_id=point.division_id,
        resident=resident,
        applicant_name="x",
        status=status,
        received_at=timezone.now(),
        accepted_on=today - timedelta(days=10) if due else None,
        due_on=due,
        finished_at=(timezone.now() - timedelta(days=finished_days)) if finished_days is not None else None,
    )


def test_the_figures_per_point_and_item_on_page_api_and_excel(world, api_as, client_as, django_assert_max_num_queries):
    from io import BytesIO

    from openpyxl import load_workbook

    w = world
    today = timezone.localdate()
    a, b = w["points"]["town_a"], w["points"]["town_b"]
    _make(a, w["resident"], "record_print", "finished", due=today, finished_days=0)  # on time
    _make(a, w["resident"], "record_print", "finished", due=today - timedelta(days=5), finished_days=0)  # late
    _make(a, w["resident"], "cover_stop", "accepted", due=today - timedelta(days=1))  # open, overdue
    _make(b, covered_resident(3, w["resident"].hukou_division), "record_print", "returned")
    year = today.year
    with django_assert_max_num_queries(6):
        r = api_as(w["leader"]).get(f"/api/v1/handling/stats/?year={year}")
        assert r.status_code == 200
    data = r.json()
    by_point = {p["name"]: p for p in data["points"]}
    assert by_point["甲镇便民服务中心"] == {
        "name": "甲镇便民服务中心",
        "received": 3,
        "returned": 0,
        "open": 1,
        "finished": 2,
        "finished_on_time": 1,
        "overdue": 2,
        "on_time_rate": "50.0",
    }
    assert by_point["乙镇便民服务中心"]["returned"] == 1 and by_point["乙镇便民服务中心"]["on_time_rate"] is None
    assert {i["name"]: i["received"] for i in data["items"]} == {"参保信息查询和个人权益记录打印": 3, "城乡居民停保": 1}
    assert data["total"]["received"] == 4
    # a township worker's figures are their own area's
    mine = api_as(w["town_a"]).get(f"/api/v1/handling/stats/?year={year}").json()
    assert [p["name"] for p in mine["points"]] == ["甲镇便民服务中心"] and mine["total"]["received"] == 3
    assert api_as(w["leader"]).get("/api/v1/handling/stats/").status_code == 400
    page = client_as(w["leader"]).get(f"/handling/stats/?year={year}").content.decode()
    assert "甲镇便民服务中心" in page and "50.0%" in page
    x = client_as(w["leader"]).get(f"/handling/stats.xlsx?year={year}")
    wb = load_workbook(BytesIO(x.content))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "服务点" and ("甲镇便民服务中心", 3, 0, 1, 2, 1, 2, 50.0) in rows


def test_the_figures_filter_by_month_and_division_within_the_area(world, api_as, client_as):
    w = world
    today = timezone.localdate()
    a, b = w["points"]["town_a"], w["points"]["town_b"]
    _make(a, w["resident"], "record_print", "finished", due=today, finished_days=0)
    _make(b, covered_resident(4, w["resident"].hukou_division), "record_print", "returned")
    year, month = today.year, today.month
    other_month = 1 if month != 1 else 2
    url = "/api/v1/handling/stats/"
    town_a_code = a.division.code[:9]
    leader = api_as(w["leader"])
    assert leader.get(f"{url}?year={year}&month={month}").json()["total"]["received"] == 2
    assert leader.get(f"{url}?year={year}&month={other_month}").json()["total"]["received"] == 0
    only_a = leader.get(f"{url}?year={year}&division={town_a_code}").json()
    assert [p["name"] for p in only_a["points"]] == [a.name] and only_a["division"] == town_a_code
    # a division parameter never widens a worker's area
    b_code = b.division.code[:9]
    assert api_as(w["town_a"]).get(f"{url}?year={year}&division={b_code}").json()["total"]["received"] == 0
    assert leader.get(f"{url}?year={year}&month=13").status_code == 400
    assert leader.get(f"{url}?year={year}&division=abc").status_code == 400
    page = client_as(w["leader"]).get(f"/handling/stats/?year={year}&division={town_a_code}").content.decode()
    assert a.name in page and b.name not in page
    x = client_as(w["leader"]).get(f"/handling/stats.xlsx?year={year}&division={town_a_code}")
    assert x.status_code == 200
