"""POST /api/v1/claims/calculate/: the engine's figures and explanation; errors name the field."""

import pytest

from medinsure.accounts.models import Role

URL = "/api/v1/claims/calculate/"


def visit(i, **kw):
    base = {
        "visit_id": f"v{i}",
        "person_id": "P1",
        "date": f"2018-0{i}-01",
        "kind": "inpatient",
        "hospital_level": 2,
        "in_scope_cost": "8000",
    }
    return {**base, **kw}


@pytest.mark.django_db
def test_calculate_returns_the_engines_figures_and_explanation(make_user, api_as):
    api = api_as(make_user(Role.CLAIMS))
    response = api.post(URL, {"policy": "guanxian-2018", "visits": [visit(2), visit(1)]}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["policy"] == "guanxian-2018" and data["version"] is None
    second, first = data["results"]
    assert (first["deductible"], first["fund_paid"], first["personal_paid"]) == ("500.00", "5250.00", "2750.00")
    assert (second["deductible"], second["fund_paid"], second["critical_paid"], second["personal_paid"]) == (
        "250.00",
        "5425.00",
        "0.00",
        "2575.00",
    )
    assert "起付线 250 元（本年度第2次住院，减半）" in second["explanation"]
    assert "统筹支付 (8000−250)×70% = 5425 元" in second["explanation"]
    assert second["totals"]["admissions"] == "2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, field",
    [
        ({"policy": "guanxian-2018", "visits": [visit(1, kind="dental")]}, "kind"),
        ({"policy": "guanxian-2018", "visits": [visit(1, hospital_level=7)]}, "hospital_level"),
        ({"policy": "guanxian-2018", "visits": [visit(1, in_scope_cost="abc")]}, "in_scope_cost"),
        ({"policy": "guanxian-2018", "visits": [visit(1, essential_drug_cost="9000")]}, "essential_drug_cost"),
    ],
)
def test_bad_visit_names_the_field(make_user, api_as, payload, field):
    api = api_as(make_user(Role.CLAIMS))
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    errors = response.json()["visits"]
    first = errors[0] if isinstance(errors, list) else errors["0"]
    assert field in first


@pytest.mark.django_db
def test_unknown_policy_and_empty_visits(make_user, api_as):
    api = api_as(make_user(Role.CLAIMS))
    r = api.post(URL, {"policy": "nowhere", "visits": [visit(1)]}, format="json")
    assert r.status_code == 400 and "policy" in r.json()
    r = api.post(URL, {"policy": "guanxian-2018", "visits": []}, format="json")
    assert r.status_code == 400 and "visits" in r.json()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.ENROLLMENT, Role.API_CLIENT])
def test_other_roles_may_not_calculate(make_user, api_as, divisions, role):
    user = make_user(role, division=divisions.town_b if role == Role.TOWNSHIP else None)
    r = api_as(user).post(URL, {"policy": "guanxian-2018", "visits": [visit(1)]}, format="json")
    assert r.status_code == 403


@pytest.mark.django_db
def test_schema_documents_the_endpoints(make_user, client_as):
    r = client_as(make_user(Role.ADMIN)).get("/api/schema/")
    assert r.status_code == 200
    body = r.content.decode()
    for path in ("/api/v1/claims/calculate/", "/api/v1/claims/stats/", "/api/v1/claims/settlements/"):
        assert path in body


@pytest.mark.django_db
def test_explanation_in_english_when_the_user_chooses_it():
    from django.utils import translation

    from claims.calculation import calculate_visits

    visits = [
        {
            "visit_id": f"v{i}",
            "person_id": "P1",
            "date": __import__("datetime").date(2018, i, 1),
            "kind": "inpatient",
            "hospital_level": 2,
            "in_scope_cost": __import__("decimal").Decimal("8000"),
        }
        for i in (1, 2)
    ]
    with translation.override("en"):
        out = calculate_visits(code="guanxian-2018", visits=visits)
    assert "Deductible 250 yuan (admission no. 2 of the year, halved)" in out["results"][1]["explanation"]
    with translation.override("zh-hans"):
        out = calculate_visits(code="guanxian-2018", visits=visits)
    assert "起付线 250 元（本年度第2次住院，减半）" in out["results"][1]["explanation"]
