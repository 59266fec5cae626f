"""POST/GET /api/v1/replies/proposals/ and GET /api/v1/replies/stats/."""

from datetime import date

import pytest

from medinsure.accounts.models import Role
from replies import services
from tests.factories import UserFactory

from .factories import director, office_user, register, signable_letter

pytestmark = [pytest.mark.django_db, pytest.mark.service]

URL = "/api/v1/replies/proposals/"
GOOD = {
    "kind": "npc",
    "session": "唐山市第十六届人民代表大会第四次会议",
    "number": "136",
    "title": "关于加强城乡居民基本医疗保险几点建议",
    "proposers": ["李孝艳"],
    "assigned_on": "2025-03-10",
    "urgent": False,
}


def test_create_and_get(api_as):
    api = api_as(office_user())
    r = api.post(URL, GOOD, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["due_on"] == "2025-06-10" and body["id"] and body["proposers"] == ["李孝艳"]
    assert body["due_provisional"] is False
    g = api.get(f"{URL}{body['id']}/")
    assert g.status_code == 200
    assert {k: g.json()[k] for k in ("id", "due_on", "kind", "number", "title")} == {
        k: body[k] for k in ("id", "due_on", "kind", "number", "title")
    }


def test_urgent_and_provisional(api_as):
    api = api_as(office_user())
    r = api.post(URL, {**GOOD, "assigned_on": "2025-01-31", "urgent": True}, format="json")
    assert r.json()["due_on"] == "2025-02-28"
    r = api.post(URL, {**GOOD, "number": "137", "assigned_on": "2026-11-24"}, format="json")
    assert (r.json()["due_on"], r.json()["due_provisional"], r.json()["provisional_years"]) == (
        "2027-02-24",
        True,
        [2027],
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"kind": "party"}, "kind"),
        ({"kind": None}, "kind"),
        ({"session": ""}, "session"),
        ({"number": "第136号"}, "number"),
        ({"title": ""}, "title"),
        ({"proposers": []}, "proposers"),
        ({"proposers": "李孝艳"}, "proposers"),
        ({"assigned_on": "2025/03/10"}, "assigned_on"),
        ({"assigned_on": "2025-02-30"}, "assigned_on"),
        ({"urgent": "yes"}, "urgent"),
        ({"urgent": 1}, "urgent"),
    ],
)
def test_malformed_field_gets_400_naming_it(api_as, change, field):
    r = api_as(office_user()).post(URL, {**GOOD, **change}, format="json")
    assert r.status_code == 400 and field in r.json(), r.content


@pytest.mark.parametrize("field", list(GOOD))
def test_missing_field_gets_400_naming_it(api_as, field):
    data = {k: v for k, v in GOOD.items() if k != field}
    r = api_as(office_user()).post(URL, data, format="json")
    assert r.status_code == 400 and field in r.json()


def test_duplicate_is_400_on_number(api_as):
    api = api_as(office_user())
    api.post(URL, GOOD, format="json")
    r = api.post(URL, GOOD, format="json")
    assert r.status_code == 400 and "number" in r.json()


def test_list_is_sorted_by_due_date(api_as):
    clerk = office_user()
    register(clerk, number="1", assigned_on=date(2025, 3, 10))
    register(clerk, number="2", assigned_on=date(2025, 3, 1), urgent=True)
    register(clerk, number="3", assigned_on=date(2025, 1, 5))
    r = api_as(clerk).get(URL)
    # due 2025-04-01 (urgent), 2025-04-07, 2025-06-10
    assert [(x["number"], x["due_on"]) for x in r.json()["results"]] == [
        ("2", "2025-04-01"),
        ("3", "2025-04-07"),
        ("1", "2025-06-10"),
    ]


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.CLAIMS, Role.API_CLIENT])
def test_other_roles_see_no_case(api_as, make_user, divisions, role):
    p = register(office_user())
    user = make_user(role, divisions.town_b if role == Role.TOWNSHIP else None)
    api = api_as(user)
    assert api.get(f"{URL}{p.pk}/").status_code in (403, 404)
    assert api.get(URL).status_code == 403
    assert api.post(URL, GOOD, format="json").status_code == 403


def test_stats(api_as, make_user):
    clerk, boss = office_user(), director()
    p1 = register(clerk, number="1", assigned_on=date(2025, 3, 10))
    register(clerk, number="2", kind="cppcc", assigned_on=date(2025, 3, 10))
    register(clerk, number="3", assigned_on=date(2024, 3, 10))
    services.commitment_add(actor=clerk, proposal_id=p1.pk, content="研究", due_text="2025年底", unit="区医保局")
    services.letter_sign(actor=boss, version_id=signable_letter(clerk, p1).pk, signed_on=date(2025, 6, 1))
    services.letter_send(actor=clerk, proposal_id=p1.pk, sent_on=date(2025, 6, 1))
    services.receipt_record(actor=clerk, proposal_id=p1.pk, opinion="satisfied", received_on=date(2025, 6, 10))
    for user in (clerk, make_user(Role.API_CLIENT), make_user(Role.LEADER)):
        r = api_as(user).get("/api/v1/replies/stats/?year=2025")
        assert r.status_code == 200
        s = r.json()
        assert s["total"] == 2
        npc = next(k for k in s["by_kind"] if k["kind"] == "npc")
        assert npc["total"] == 1 and npc["by_status"]["closed"] == 1
        assert (s["on_time_rate"], s["satisfaction_rate"]) == ("100.0", "100.0")
        assert (s["commitments_open"], s["commitments_done"]) == (1, 0)
    assert api_as(clerk).get("/api/v1/replies/stats/").status_code == 400
    assert api_as(make_user(Role.CLAIMS)).get("/api/v1/replies/stats/?year=2025").status_code == 403


def test_stats_query_count_is_fixed(api_as, django_assert_max_num_queries):
    clerk = office_user()
    for n in range(5):
        register(clerk, number=str(n))
    api = api_as(clerk)
    with django_assert_max_num_queries(8):
        r = api.get("/api/v1/replies/stats/?year=2025")
    assert r.status_code == 200


def test_schema_documents_the_endpoints(api_as, make_user):
    r = api_as(make_user(Role.ADMIN)).get("/api/schema/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "/api/v1/replies/proposals/" in text and "/api/v1/replies/stats/" in text


def test_api_list_queries_do_not_grow_with_cases(api_as, django_assert_max_num_queries):
    clerk = office_user()
    for n in range(30):
        register(clerk, number=str(n))
    api = api_as(clerk)
    with django_assert_max_num_queries(6):
        assert api.get(URL).status_code == 200


def test_co_handler_needs_the_lead_unit(api_as):
    api = api_as(office_user())
    r = api.post(URL, {**GOOD, "handler_role": "co"}, format="json")
    assert r.status_code == 400 and "lead_unit" in r.json()
    r = api.post(URL, {**GOOD, "handler_role": "co", "lead_unit": "区卫生健康委"}, format="json")
    assert r.status_code == 201 and r.json()["due_on"] == "2025-04-10"


def test_detail_lists_letter_versions_and_commitments_api(api_as, client):
    clerk, boss = office_user(), director()
    p = register(clerk)
    services.commitment_add(actor=clerk, proposal_id=p.pk, content="研究", due_text="2025年底", unit="区医保局")
    v = signable_letter(clerk, p, sections=(("一、", "电话13912345678"),))
    services.letter_sign(actor=boss, version_id=v.pk, signed_on=date(2025, 5, 20))
    api = api_as(clerk)
    letters = api.get(f"{URL}{p.pk}/").json()["letters"]
    assert [(x["round"], x["number"], x["state"], x["signer_name"]) for x in letters] == [
        (1, 1, "signed", boss.display_name)
    ]
    rows = api.get("/api/v1/replies/commitments/?open=1").json()["results"]
    assert [(r["proposal"], r["number"], r["state"]) for r in rows] == [(p.pk, 1, "open")]
    assert api_as(UserFactory(role=Role.CLAIMS)).get("/api/v1/replies/commitments/").status_code == 403
    services.letter_send(actor=clerk, proposal_id=p.pk, sent_on=date(2025, 5, 20))
    services.letter_publish(actor=clerk, version_id=v.pk)
    r = client.get("/api/v1/replies/published/")  # no login, no token
    assert r.status_code == 200
    body = r.json()["results"][0]["body"]
    assert "13912345678" not in body and "■■■" in body


def test_holiday_schedule_endpoint(api_as):
    r = api_as(office_user()).get("/api/v1/replies/holidays/?year=2025")
    assert r.status_code == 200
    (year,) = r.json()
    assert year["year"] == 2025 and {"day": "2025-10-11", "kind": "workday", "name": "国庆节"} in year["days"]
