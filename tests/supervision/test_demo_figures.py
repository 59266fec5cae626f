"""The demo holds Jiangjin's 2024 exactly as seed 000 reports it; page, API and Excel agree."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from medinsure.accounts.models import Role, User
from medinsure.core import demo as core_demo
from supervision import demo
from supervision.models import Case, Decision

pytestmark = [pytest.mark.django_db, pytest.mark.service]

SEED_000 = {
    "inspections": 208,
    "penalties_or_agreement_handlings": 141,
    "recovered": "6529800.00",
    "fines": "7973300.00",
    "agreements_suspended": {"total": 20, "medical": 8, "pharmacy": 12},
    "agreements_terminated": {"total": 62, "medical": 17, "pharmacy": 45},
    "publicized": 30,
    "reports_received": 10,
    "reports_handled": 8,
    "reports_recovered": "78800.00",
    "reports_fines": "122000.00",
}


@pytest.fixture
def loaded(db):
    core_demo.load()
    demo.load()
    return User.objects.get(username="api")


def test_api_and_selector_return_seed_000_figures(loaded, api_as):
    r = api_as(loaded).get("/api/v1/supervision/stats/", {"year": 2024})
    assert r.status_code == 200, r.content
    data = r.json()
    for key, value in SEED_000.items():
        assert data[key] == value, key
    for key in ("institutions_inspected", "rejected", "transferred_to_police", "flags_raised", "flags_confirmed"):
        assert key in data
    # report-derived figures are part of the totals, not added to them
    assert Decision.objects.count() == 141
    api = api_as(loaded)
    months = [api.get("/api/v1/supervision/stats/", {"year": 2024, "month": m}).json() for m in range(1, 13)]
    assert sum(m["inspections"] for m in months) == 208
    assert sum(D(m["recovered"]) for m in months) == D("6529800.00")
    assert sum(m["agreements_terminated"]["pharmacy"] for m in months) == 45
    r = api.get("/api/v1/supervision/stats/")
    assert r.status_code == 400 and "year" in r.json()
    # the selector replies' letters quote
    from supervision.selectors import supervision_stats

    office = User.objects.get(username="office")
    d = supervision_stats(user=office, year=2024)
    assert d["inspections"] == 208 and d["recovered"] == D("6529800.00")
    assert d["agreements_terminated"] == {"total": 62, "medical": 17, "pharmacy": 45}


def test_figures_page_and_excel_show_the_same_and_reload_changes_nothing(loaded, client_as):
    user = User.objects.get(username="supervise")
    c = client_as(user)
    page = c.get("/supervision/figures/?year=2024")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="total-inspections">208<' in html
    assert 'data-testid="total-penalties_or_agreement_handlings">141<' in html
    assert 'data-testid="total-recovered">6,529,800.00<' in html
    assert 'data-testid="total-fines">7,973,300.00<' in html
    assert 'data-testid="total-agreements_terminated">62<' in html
    x = c.get("/supervision/figures.xlsx?year=2024")
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["现场检查医药机构（家次）"][0] == 208
    assert D(str(rows["追回医保基金（元）"][0])) == D("6529800")
    assert D(str(rows["罚款（违约金）（元）"][0])) == D("7973300")
    assert rows["解除医保协议（家）"][:3] == (62, 17, 45)
    before = (Case.objects.count(), Decision.objects.count())
    demo.load()
    assert (Case.objects.count(), Decision.objects.count()) == before


@pytest.mark.parametrize(
    "role,status",
    [(Role.API_CLIENT, 200), (Role.LEADER, 200), (Role.SUPERVISION, 200), (Role.CLAIMS, 403), (Role.INSTITUTION, 403)],
)
def test_stats_permission(db, api_as, make_user, role, status):
    from tests.supervision import factories as f

    user = f.institution_user(f.institution()) if role == Role.INSTITUTION else make_user(role)
    assert api_as(user).get("/api/v1/supervision/stats/", {"year": 2024}).status_code == status
