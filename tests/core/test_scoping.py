"""A township worker sees only their township; a village worker only their village — in HTML and API."""

import pytest

from medinsure.accounts.models import Role
from medinsure.accounts.scoping import division_q, may_see_personal_numbers
from medinsure.masking import mask_id_number, mask_phone, shown_id_number
from medinsure.regions.models import Division

pytestmark = pytest.mark.django_db


def test_township_worker_gets_404_for_another_township_in_html(divisions, make_user, client_as):
    worker = make_user(Role.TOWNSHIP, divisions.town_a)
    client = client_as(worker)
    assert client.get(f"/regions/{divisions.town_a.code}/").status_code == 200
    assert client.get(f"/regions/{divisions.village_a1.code}/").status_code == 200
    assert client.get(f"/regions/{divisions.town_b.code}/").status_code == 404
    assert client.get(f"/regions/{divisions.village_b1.code}/").status_code == 404
    # a code that does not exist answers exactly the same
    assert client.get("/regions/500116999000/").status_code == 404


def test_township_worker_gets_404_for_another_township_in_api(divisions, make_user, api_as):
    api = api_as(make_user(Role.TOWNSHIP, divisions.town_a))
    assert api.get(f"/api/v1/regions/divisions/{divisions.town_a.code}/").status_code == 200
    assert api.get(f"/api/v1/regions/divisions/{divisions.town_b.code}/").status_code == 404
    assert api.get(f"/api/v1/regions/divisions/{divisions.village_b2.code}/").status_code == 404
    codes = {row["code"] for row in api.get("/api/v1/regions/divisions/").json()["results"]}
    assert codes == {
        divisions.town_a.code,
        divisions.village_a1.code,
        divisions.village_a2.code,
        divisions.grid_a1.code,
    }


def test_no_request_parameter_widens_the_area(divisions, make_user, api_as):
    api = api_as(make_user(Role.TOWNSHIP, divisions.town_a))
    rows = api.get(
        "/api/v1/regions/divisions/", {"parent": divisions.town_b.code, "all": "1", "scope": "district"}
    ).json()
    assert rows["results"] == []


def test_village_worker_sees_only_their_village(divisions, make_user, client_as):
    client = client_as(make_user(Role.VILLAGE, divisions.village_a1))
    assert client.get(f"/regions/{divisions.village_a1.code}/").status_code == 200
    assert client.get(f"/regions/{divisions.grid_a1.code}/").status_code == 200
    assert client.get(f"/regions/{divisions.village_a2.code}/").status_code == 404
    assert client.get(f"/regions/{divisions.town_a.code}/").status_code == 404


def test_bureau_staff_see_the_whole_district_and_rows_without_area(divisions, make_user):
    staff = make_user(Role.ENROLLMENT)
    # bureau-wide: every row, including the district itself whose parent (the "area" here) is empty
    assert Division.objects.filter(division_q(staff, "parent")).count() == Division.objects.count()
    # a worker never sees a row with no division
    worker = make_user(Role.TOWNSHIP, divisions.town_a)
    assert not Division.objects.filter(parent=None).filter(division_q(worker, "parent")).exists()


def test_a_user_without_role_area_sees_nothing(divisions, make_user):
    institution_user_like = make_user(Role.VILLAGE, divisions.village_b1)
    institution_user_like.is_active = False
    assert not Division.objects.filter(division_q(institution_user_like, "parent")).exists()


def test_masking(make_user, divisions):
    assert mask_id_number("500116199001011234") == "500116********1234"
    assert mask_phone("13812345678") == "138****5678"
    worker = make_user(Role.TOWNSHIP, divisions.town_a)
    staff = make_user(Role.ENROLLMENT)
    assert not may_see_personal_numbers(worker)
    assert shown_id_number(worker, "500116199001011234") == "500116********1234"
    assert shown_id_number(staff, "500116199001011234") == "500116199001011234"


def test_home_shows_only_the_areas_of_the_role(divisions, make_user, client_as):
    html = client_as(make_user(Role.TOWNSHIP, divisions.town_a)).get("/").content.decode()
    assert "甲镇" in html
    assert "审计日志" not in html


def test_pages_require_login(client, divisions):
    response = client.get(f"/regions/{divisions.town_a.code}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/regions/divisions/").status_code in (401, 403)


def test_code_scope_prefix_reads_the_level_off_the_code():
    from medinsure.regions.models import code_scope_prefix

    assert code_scope_prefix("500116000000") == "500116"
    assert code_scope_prefix(" 500116101000 ") == "500116101"
    assert code_scope_prefix("500116101201") == "500116101201"
    assert code_scope_prefix("500116101201001") == "500116101201001"
