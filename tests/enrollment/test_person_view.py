"""Issue 15, "masks that cannot be undone": a role that may not see ID numbers gets the age instead of
the birth date (the masked ID keeps 6+4 digits, so the date beside it is the whole number); residents
are keyed by their server id, and an ID number is searched in a POST body, never in a URL."""

from datetime import date

import pytest
from django.urls import reverse

from enrollment.models import InsuranceStatus, Source
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.masking import age_of, mask_id_number
from medinsure.rules.id_numbers import make_id_number

from .factories import ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.service]

BORN = date(1942, 7, 11)


@pytest.fixture
def world(divisions, make_user):
    number = make_id_number("500116", BORN, 0)
    r = ResidentFactory(id_number=number, name="王老汉", hukou_division=divisions.village_a1, phone="13912340008")
    InsuranceStatus.objects.create(
        resident=r, year=2025, status="tier1", source=Source.SYSTEM, status_date=date(2024, 10, 1)
    )
    return {
        "resident": r,
        "village": make_user(Role.VILLAGE, division=divisions.village_a1),
        "leader": make_user(Role.LEADER),
        "staff": make_user(Role.ENROLLMENT),
        "other_town": make_user(Role.TOWNSHIP, division=divisions.town_b),
    }


def _dates(d: date) -> list[str]:
    return [d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}"]


@pytest.mark.parametrize("who", ["village", "leader"])
def test_a_masked_role_gets_the_age_not_the_birth_date(world, who, client_as, api_as):
    r = world["resident"]
    user = world[who]
    api = api_as(user)
    row = api.get("/api/v1/enrollment/residents/?year=2025").json()["results"][0]
    assert row["id_number"] == mask_id_number(r.id_number)
    assert row["birth_date"] is None and row["age"] == age_of(BORN)
    detail = api.get(f"/api/v1/enrollment/residents/{r.pk}/").json()
    assert detail["birth_date"] is None and detail["age"] == age_of(BORN)
    c = client_as(user)
    for url in (reverse("enrollment:residents") + "?year=2025", reverse("enrollment:resident", args=[r.pk])):
        html = c.get(url).content.decode()
        assert mask_id_number(r.id_number) in html and f"{age_of(BORN)}岁" in html, url
        assert not [d for d in _dates(BORN) if d in html], url


def test_a_role_that_sees_numbers_gets_the_date(world, client_as, api_as):
    r = world["resident"]
    detail = api_as(world["staff"]).get(f"/api/v1/enrollment/residents/{r.pk}/").json()
    assert detail["id_number"] == r.id_number and detail["birth_date"] == BORN.isoformat()
    html = client_as(world["staff"]).get(reverse("enrollment:resident", args=[r.pk])).content.decode()
    assert r.id_number in html and BORN.isoformat() in html


def test_the_api_keys_residents_by_server_id_and_searches_numbers_by_post(world, api_as):
    r = world["resident"]
    api = api_as(world["village"])
    assert api.get(f"/api/v1/enrollment/residents/{r.id_number}/").status_code == 404  # no such route any more
    refused = api.get(f"/api/v1/enrollment/residents/?q={r.id_number}")
    assert refused.status_code == 400 and list(refused.json()) == ["q"]
    assert api.get(f"/api/v1/enrollment/residents/?q={r.id_number[:8]}").status_code == 400  # a part of one too
    found = api.post("/api/v1/enrollment/residents/search/", {"q": r.id_number}, format="json")
    assert found.status_code == 200 and [x["id"] for x in found.json()["results"]] == [r.pk]
    other = api_as(world["other_town"])
    assert other.post("/api/v1/enrollment/residents/search/", {"q": r.id_number}, format="json").json()["count"] == 0
    assert other.get(f"/api/v1/enrollment/residents/{r.pk}/").status_code == 404
    logged = AuditLog.objects.values_list("path", "summary", "object_id")
    assert logged and not [row for row in logged if any(r.id_number in str(v) for v in row)]


def test_the_page_searches_numbers_by_post_and_keeps_them_out_of_urls(world, client_as):
    r = world["resident"]
    c = client_as(world["village"])
    url = reverse("enrollment:residents")
    page = c.post(url, {"q": r.id_number, "year": "2025"})
    assert page.status_code == 200 and reverse("enrollment:resident", args=[r.pk]) in page.content.decode()
    by_name = c.post(url, {"q": "王", "year": "2025"})
    assert by_name.status_code == 302 and by_name["Location"].startswith(url + "?")
    get = c.get(url + f"?q={r.id_number}&year=2025", follow=True)
    assert "不要把号码放在网址里" in get.content.decode()
    assert not AuditLog.objects.filter(path__contains=r.id_number).exists()
    assert not AuditLog.objects.filter(summary__contains=r.id_number).exists()
