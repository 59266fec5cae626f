"""Entitlement read from the registry and the registers: the API, the page, its audit rows and its query
count (one query per kind of record, whatever the number of persons)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import selectors
from claims.models import DiseaseRegistration, RemoteCareFiling
from enrollment.models import CoverStop, InsuranceStatus, Payment
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from medinsure.masking import mask_id_number
from medinsure.rules.id_numbers import make_id_number
from tests.enrollment.factories import ResidentFactory
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/eligibility/"


def _person(n, *, status="tier1", kind="on_time", paid_on=date(2024, 11, 1), cover_start=date(2025, 1, 1), **kw):
    r = ResidentFactory(id_number=make_id_number("500116", date(1970, 1, 1) + timedelta(days=n), n), **kw)
    for year in (2023, 2024):
        InsuranceStatus.objects.create(
            resident=r, year=year, status="tier1", source="tax", status_date=date(year, 1, 1)
        )
    InsuranceStatus.objects.create(resident=r, year=2025, status=status, source="tax", status_date=date(2025, 1, 1))
    if kind:
        Payment.objects.create(
            resident=r,
            year=2025,
            tier=status,
            amount=400,
            paid_on=paid_on,
            receipt_no=f"R{n}",
            kind=kind,
            cover_start=cover_start,
        )
    return r


@pytest.fixture
def people():
    on_time = _person(1, status="tier2")
    late = _person(2, kind="late", paid_on=date(2025, 2, 11), cover_start=date(2025, 5, 11))
    stopped = _person(3)
    CoverStop.objects.create(resident=stopped, stopped_on=date(2025, 3, 1), reason="出国定居")
    chronic = _person(4, special_category="jiandang", subsidy_payer="rural_revitalisation")
    DiseaseRegistration.objects.create(resident=chronic, disease="糖尿病", kind="chronic", valid_from=date(2025, 1, 1))
    DiseaseRegistration.objects.create(
        resident=chronic, disease="高血压", kind="chronic", valid_from=date(2024, 1, 1), revoked_on=date(2025, 2, 1)
    )
    RemoteCareFiling.objects.create(resident=chronic, kind="living", destination="广州市", valid_from=date(2025, 1, 1))
    lapsed = _person(5, status="none", kind="")
    return {"on_time": on_time, "late": late, "stopped": stopped, "chronic": chronic, "lapsed": lapsed}


def test_the_api_answers_from_our_own_records(people, make_user, api_as):
    unknown = make_id_number("500116", date(1980, 5, 5), 777)
    numbers = [p.id_number for p in people.values()] + [unknown]
    r = api_as(make_user(Role.CLAIMS)).post(URL, {"id_numbers": numbers, "on": "2025-04-01"}, format="json")
    assert r.status_code == 200
    by = dict(zip([*people, "unknown"], r.json(), strict=True))
    assert (by["on_time"]["insured"], by["on_time"]["tier"], by["on_time"]["continuous_years"]) == (True, 2, 3)
    late = by["late"]
    assert (late["insured"], late["waiting_until"]) == (False, "2025-05-10")
    assert "2025年4月1日 在待遇等待期内，等待期至 2025年5月10日" in late["reasons"]
    assert (by["stopped"]["insured"], by["stopped"]["stopped"]) == (False, True)
    chronic = by["chronic"]
    assert chronic["diseases"] == ["糖尿病"]  # the revoked registration no longer counts
    assert chronic["categories"] == ["jiandang"] and chronic["remote_filings"] == ["living"]
    assert (by["lapsed"]["insured"], by["lapsed"]["continuous_years"]) == (False, 0)
    assert (by["unknown"]["in_registry"], by["unknown"]["reasons"]) == (False, ["不在本区参保登记库中"])
    # claims staff see numbers; every person found is one audit row, with no number in it
    assert by["on_time"]["id_number"] == people["on_time"].id_number
    rows = AuditLog.objects.filter(object_type="enrollment.resident", action="view")
    assert sorted(int(a.object_id) for a in rows) == sorted(p.pk for p in people.values())
    assert not any(p.id_number in a.summary for a in rows for p in people.values())


def test_an_institution_desk_may_ask_and_sees_numbers_masked(people, api_as):
    from tests.factories import UserFactory

    desk = UserFactory(role=Role.INSTITUTION, institution=InstitutionFactory())
    n = people["on_time"].id_number
    r = api_as(desk).post(URL, {"id_numbers": [n], "on": "2025-04-01"}, format="json")
    assert r.status_code == 200
    (row,) = r.json()
    assert row["id_number"] == mask_id_number(n) and row["insured"] is True
    assert n not in r.content.decode()


@pytest.mark.parametrize("role", [Role.ENROLLMENT, Role.SUPERVISION, Role.FUND, Role.OFFICE])
def test_other_roles_may_not_ask(people, make_user, api_as, role):
    r = api_as(make_user(role)).post(URL, {"id_numbers": [people["late"].id_number], "on": "2025-04-01"}, format="json")
    assert r.status_code == 403
    assert not AuditLog.objects.filter(object_type="enrollment.resident").exists()


def test_a_bad_number_is_named_by_its_position_not_echoed(people, make_user, api_as):
    good = people["late"].id_number
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = api_as(make_user(Role.CLAIMS)).post(URL, {"id_numbers": [good, bad], "on": "2025-04-01"}, format="json")
    assert r.status_code == 400
    assert "第 2 个身份证号码无效" in r.content.decode() and bad not in r.content.decode()
    r = api_as(make_user(Role.CLAIMS)).post(URL, {"id_numbers": [good] * 1001, "on": "2025-04-01"}, format="json")
    assert r.status_code == 400 and "id_numbers" in r.json()


def test_one_query_per_kind_of_record_whatever_the_number_of_persons(people):
    few = [people["late"].id_number]
    many = [_person(100 + i).id_number for i in range(40)] + few
    with CaptureQueriesContext(connection) as q_few:
        selectors.eligibility_many(few, on=date(2025, 4, 1))
    with CaptureQueriesContext(connection) as q_many:
        answers = selectors.eligibility_many(many, on=date(2025, 4, 1))
    assert len(q_few.captured_queries) == len(q_many.captured_queries) == 6
    assert sum(e.insured for _pk, e in answers.values()) == 40


def test_the_page_posts_numbers_and_shows_the_reasons(people, make_user, client_as):
    c = client_as(make_user(Role.CLAIMS))
    assert c.get("/claims/eligibility/").status_code == 200
    r = c.post("/claims/eligibility/", {"id_numbers": people["late"].id_number, "on": "2025-04-01"})
    assert r.status_code == 200
    assert "等待期至 2025年5月10日" in r.content.decode()
    r = c.post("/claims/eligibility/", {"id_numbers": "12345", "on": "2025-04-01"})
    assert "第 1 行的身份证号码无效" in r.content.decode()


def test_the_menu_offers_it_to_claims_staff_and_institution_desks(make_user):
    from medinsure.navigation import menu_for
    from tests.factories import UserFactory

    def urls(user):
        return {e["url"] for s in menu_for(user) for e in s["entries"]}

    assert "/claims/eligibility/" in urls(make_user(Role.CLAIMS))
    assert "/claims/eligibility/" in urls(UserFactory(role=Role.INSTITUTION, institution=InstitutionFactory()))
    assert "/claims/eligibility/" not in urls(make_user(Role.ENROLLMENT))


def test_the_calculator_reads_the_registry_for_a_visit_with_an_id_number(people, make_user, api_as):
    base = {"date": "2025-04-01", "kind": "inpatient", "hospital_level": 2, "in_scope_cost": "8000"}
    visits = [
        {**base, "visit_id": "a", "id_number": people["late"].id_number, "tier": 2},
        {**base, "visit_id": "b", "id_number": people["on_time"].id_number},
        {**base, "visit_id": "c", "person_id": "P1"},
    ]
    r = api_as(make_user(Role.CLAIMS)).post(
        "/api/v1/claims/calculate/", {"policy": "guanxian-2018", "visits": visits}, format="json"
    )
    assert r.status_code == 200, r.content
    late, on_time, free = r.json()["results"]
    # in the waiting period: the fund pays nothing, and the reason says until when
    assert (late["covered"], late["fund_paid"], late["personal_paid"]) == (False, "0.00", "8000.00")
    assert any("等待期至 2025年5月10日" in step for step in late["explanation"])
    assert "缴费档次：文件为 2，参保库为 1" in late["registry_findings"]
    assert on_time["covered"] is True and on_time["fund_paid"] == free["fund_paid"] != "0.00"
    assert free["registry_findings"] == []
    # neither a person id nor an ID number: the field is named
    r = api_as(make_user(Role.CLAIMS)).post(
        "/api/v1/claims/calculate/", {"policy": "guanxian-2018", "visits": [{**base, "visit_id": "d"}]}, format="json"
    )
    assert r.status_code == 400 and "person_id" in r.content.decode()


def test_the_calculator_page_takes_an_id_number(people, make_user, client_as):
    c = client_as(make_user(Role.CLAIMS))
    data = {
        "policy": "guanxian-2018",
        "id_number": people["late"].id_number,
        "group": "resident",
        "continuous_years": "0",
        "tier": "1",
        "v-TOTAL_FORMS": "1",
        "v-INITIAL_FORMS": "0",
        "v-0-date": "2025-04-01",
        "v-0-kind": "inpatient",
        "v-0-hospital_level": "2",
        "v-0-in_scope_cost": "8000",
    }
    body = c.post("/claims/calculator/", data).content.decode()
    assert "等待期至 2025年5月10日" in body and "不予支付：就诊日无医保待遇" in body


def test_reimburse_with_registry_reads_entitlement_for_id_numbers(people, tmp_path, capsys):
    import csv

    from django.core.management import call_command

    head = "visit_id,person_id,date,kind,hospital_level,in_scope_cost,essential_drug_cost,disease,third_party,group,employment,continuous_years\n"
    late = people["late"].id_number
    visits = tmp_path / "visits.csv"
    visits.write_text(
        head
        + f"a,{late},2025-04-01,inpatient,2,8000,0,,false,resident,,0\n"
        + "b,free-text-person,2025-04-01,inpatient,2,8000,0,,false,resident,,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    call_command("reimburse", policy="guanxian-2018", visits=str(visits), output=str(out), registry=True)
    rows = {r["visit_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["a"]["fund_paid"] == "0.00" and rows["b"]["fund_paid"] != "0.00"
    err = capsys.readouterr().err
    assert "第 2 行" in err and "连续参保年数：文件为 0，参保库为 3" in err and late not in err
    # without --registry the same file is settled as given
    call_command("reimburse", policy="guanxian-2018", visits=str(visits), output=str(out))
    rows = {r["visit_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["a"]["fund_paid"] == rows["b"]["fund_paid"] != "0.00"
