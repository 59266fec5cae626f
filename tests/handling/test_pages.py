"""The window's pages as each role: the desk with overdue in red, receiving with the papers checklist,
the receipt, the actions; what another township's worker must NOT see (404)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from handling.models import Application
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.masking import mask_id_number
from tests.handling.factories import covered_resident, points
from tests.handling.helpers import accepted, received

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(divisions, make_user):
    return {
        "points": points(divisions),
        "resident": covered_resident(1, divisions.village_a1),
        "town_a": make_user(Role.TOWNSHIP, division=divisions.town_a),
        "town_b": make_user(Role.TOWNSHIP, division=divisions.town_b),
        "claims": make_user(Role.CLAIMS),
    }


def test_the_desk_shows_todays_work_with_overdue_in_red_and_masked_numbers(world, client_as):
    w = world
    late = accepted(w["town_a"], w["points"]["town_a"], "resident_change", w["resident"])
    Application.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    fresh = received(w["town_a"], w["points"]["town_a"], "record_print", w["resident"])
    r = client_as(w["town_a"]).get("/handling/")
    assert r.status_code == 200
    html = r.content.decode()
    assert fresh.tracking_number in html and late.tracking_number in html
    assert f'data-testid="row-{late.tracking_number}" data-overdue="1"' in html
    assert f'data-testid="row-{fresh.tracking_number}">' in html  # not red
    assert mask_id_number(w["resident"].id_number) in html and w["resident"].id_number not in html
    assert AuditLog.objects.filter(object_type="handling.application", action="view").exists()


def test_receiving_lists_the_papers_and_names_what_is_missing_on_the_receipt(world, client_as):
    w = world
    c = client_as(w["town_a"])
    point = w["points"]["town_a"]
    r = c.get(f"/handling/receive/?point={point.pk}&item=remote_living")
    assert r.status_code == 200 and "异地居住证明（居住证或承诺书）" in r.content.decode()
    r = c.post(
        f"/handling/receive/?point={point.pk}",
        {
            "item": "remote_living",
            "id_number": w["resident"].id_number,
            "applicant_name": "张三",
            "applicant_relation": "本人",
            "channel": "window",
            "papers_received": ["居民身份证"],
            "filing_kind": "living",
            "destination": "广州市",
            "valid_from": "2025-01-01",
        },
    )
    a = Application.objects.get()
    assert r.status_code == 302 and r.url == f"/handling/applications/{a.tracking_number}/receipt/"
    receipt = c.get(r.url).content.decode()
    assert a.tracking_number in receipt and "异地居住证明（居住证或承诺书）" in receipt and "请一次性补齐" in receipt


def test_a_refusal_is_shown_on_its_field(world, client_as):
    w = world
    point = w["points"]["town_a"]
    r = client_as(w["town_a"]).post(
        f"/handling/receive/?point={point.pk}",
        {
            "item": "cover_stop",
            "id_number": w["resident"].id_number,
            "applicant_name": "张三",
            "applicant_relation": "本人",
            "channel": "window",
            "reason": "出国定居",
        },
    )
    assert r.status_code == 200 and 'data-testid="error-stopped_on"' in r.content.decode()
    assert not Application.objects.exists()


def test_actions_on_the_detail_page(world, client_as):
    w = world
    a = received(w["town_a"], w["points"]["town_a"], "resident_change", w["resident"])
    c = client_as(w["town_a"])
    assert c.get(f"/handling/applications/{a.tracking_number}/").status_code == 200
    r = c.post(f"/handling/applications/{a.tracking_number}/accept/", {"papers_received": a.item.papers})
    assert r.status_code == 302
    c.post(f"/handling/applications/{a.tracking_number}/decide/", {"approve": "1", "decision_reason": ""})
    c.post(f"/handling/applications/{a.tracking_number}/finish/")
    a.refresh_from_db()
    assert a.status == "finished"


def test_another_townships_worker_gets_404_on_pages_and_api(world, client_as, api_as):
    w = world
    a = received(w["town_a"], w["points"]["town_a"], "resident_change", w["resident"])
    c = client_as(w["town_b"])
    for url in (
        f"/handling/applications/{a.tracking_number}/",
        f"/handling/applications/{a.tracking_number}/receipt/",
        f"/handling/residents/{w['resident'].pk}/",
        f"/handling/receive/?point={w['points']['town_a'].pk}",
        f"/handling/?point={w['points']['town_a'].pk}",
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(f"/handling/applications/{a.tracking_number}/accept/").status_code == 404
    api = api_as(w["town_b"])
    assert api.get(f"/api/v1/handling/applications/{a.tracking_number}/").status_code == 404
    assert api.post(f"/api/v1/handling/applications/{a.tracking_number}/accept/", {}, format="json").status_code == 404
    listed = api.get("/api/v1/handling/applications/").json()
    assert listed["count"] == 0
    desk = c.get("/handling/").content.decode()
    assert a.tracking_number not in desk and "甲镇" not in desk
    a.refresh_from_db()
    assert a.status == "received"


@pytest.mark.parametrize("role", [Role.FUND, Role.SUPERVISION, Role.OFFICE])
def test_roles_without_the_area_get_403(world, make_user, client_as, role):
    assert client_as(make_user(role)).get("/handling/").status_code == 403
