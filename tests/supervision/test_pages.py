"""Who sees what: institution staff see only their own flags and cases (404 otherwise, HTML and
API alike); other roles get nothing; every page renders for the roles that use it."""

from datetime import date

import pytest

from medinsure.accounts.models import Role
from supervision import services
from supervision.models import Flag
from tests.supervision import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.service]

DAY = date(2024, 5, 10)


@pytest.fixture
def world(divisions):
    own, other = f.institution(division=divisions.town_a), f.institution(division=divisions.town_b)
    for inst, idn in ((own, "500116199002020021"), (other, "500116199002020099")):
        f.settlement(inst, id_number=idn, sex="F", lines=[("311100001", "前列腺按摩", "1", "80", None)])
    services.audit_run(kind="daily", start=DAY, end=DAY)
    staff = f.staff()
    cases = {}
    for inst in (own, other):
        cases[inst.pk] = services.case_register(
            actor=staff,
            source="on_site",
            target_kind="institution",
            institution_id=inst.pk,
            violations=["swapping"],
            summary="串换项目",
            registered_on=DAY,
            inspected_on=DAY,
        )
    person_case = services.case_register(
        actor=staff,
        source="report",
        target_kind="person",
        person_name="赵六",
        person_id_number="500116198001010077",
        violations=["impersonation"],
        summary="借证就医",
        registered_on=DAY,
    )
    return {
        "own": own,
        "other": other,
        "staff": staff,
        "user": f.institution_user(own),
        "flags": {i: Flag.objects.get(institution_id=i).pk for i in (own.pk, other.pk)},
        "cases": cases,
        "person_case": person_case,
        "divisions": divisions,
    }


def test_institution_user_sees_only_own_flags_and_cases(world, client_as, api_as):
    c = client_as(world["user"])
    own_flag, other_flag = world["flags"][world["own"].pk], world["flags"][world["other"].pk]
    assert c.get(f"/supervision/flags/{own_flag}/").status_code == 200
    assert c.get(f"/supervision/flags/{other_flag}/").status_code == 404
    assert c.get(f"/supervision/cases/{world['cases'][world['other'].pk].pk}/").status_code == 404
    assert c.get(f"/supervision/cases/{world['person_case'].pk}/").status_code == 404
    assert c.get(f"/supervision/cases/{world['cases'][world['own'].pk].pk}/").status_code == 200
    listing = c.get("/supervision/flags/").content.decode()
    assert world["own"].name in listing and world["other"].name not in listing
    api = api_as(world["user"])
    assert api.get(f"/api/v1/supervision/flags/{other_flag}/").status_code == 404
    assert api.post(f"/api/v1/supervision/flags/{other_flag}/answer/", {"answer": "x"}).status_code == 404
    ids = [r["id"] for r in api.get("/api/v1/supervision/flags/").json()["results"]]
    assert ids == [own_flag]
    case_ids = [r["id"] for r in api.get("/api/v1/supervision/cases/").json()["results"]]
    assert case_ids == [world["cases"][world["own"].pk].pk]
    # staff-only pages and evidence are closed to institution staff
    for url in (
        "/supervision/reports/",
        "/supervision/rules/",
        "/supervision/institutions/import/",
        "/supervision/figures/",
        "/supervision/cases/new/",
    ):
        assert c.get(url).status_code == 403, url
    # the person's ID number shown to institution staff is masked
    page = c.get(f"/supervision/flags/{own_flag}/").content.decode()
    assert "500116199002020021" not in page and "500116********0021" in page


def test_institution_user_answers_through_the_page(world, client_as):
    c = client_as(world["user"])
    flag = world["flags"][world["own"].pk]
    r = c.post(f"/supervision/flags/{flag}/", {"answer": "已核实为录入错误"})
    assert r.status_code == 302
    assert Flag.objects.get(pk=flag).status == "answered"


@pytest.mark.parametrize("role", [Role.TOWNSHIP, Role.CLAIMS, Role.OFFICE])
def test_other_roles_get_nothing(world, client_as, api_as, make_user, role):
    user = make_user(role, world["divisions"].town_b if role == Role.TOWNSHIP else None)
    c = client_as(user)
    assert c.get("/supervision/flags/").status_code == 403
    assert c.get(f"/supervision/flags/{world['flags'][world['own'].pk]}/").status_code == 404
    assert api_as(user).get("/api/v1/supervision/flags/").status_code == 403


def test_staff_pages_render(world, client_as):
    c = client_as(world["staff"])
    inst = world["own"]
    case = world["cases"][inst.pk]
    for url in (
        "/supervision/",
        "/supervision/institutions/",
        f"/supervision/institutions/{inst.pk}/",
        "/supervision/cases/",
        "/supervision/cases/new/",
        f"/supervision/cases/{case.pk}/",
        f"/supervision/cases/{case.pk}/decide/",
        "/supervision/flags/",
        f"/supervision/flags/{world['flags'][inst.pk]}/",
        "/supervision/rules/",
        "/supervision/reports/",
        "/supervision/self-inspections/",
        "/supervision/figures/?year=2024",
        "/supervision/public/cases/",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
    # the staff sees the person's full ID number, and the look is in the audit log
    from medinsure.audit.models import AuditLog

    page = c.get(f"/supervision/cases/{world['person_case'].pk}/").content.decode()
    assert "500116198001010077" in page
    assert AuditLog.objects.filter(action="view", object_id=str(world["person_case"].pk)).exists()


def test_case_workflow_through_the_pages(world, client_as):
    c = client_as(world["staff"])
    case = world["cases"][world["own"].pk]
    r = c.post(f"/supervision/cases/{case.pk}/transition/", {"target": "executed", "on": "2024-05-11"})
    case.refresh_from_db()
    assert case.status == "registered"  # refused: a skipped step
    c.post(f"/supervision/cases/{case.pk}/transition/", {"target": "investigating", "on": "2024-05-11"})
    r = c.post(
        f"/supervision/cases/{case.pk}/decide/",
        {
            "decided_on": "2024-06-01",
            "agreement_handling": "on",
            "recovered": "1000",
            "rejected": "0",
            "obtained": "0",
            "fine_basis": "agreement",
            "fine_amount": "500",
            "agreement_action": "suspend",
            "action_from": "2024-06-05",
            "action_until": "2024-09-04",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case.refresh_from_db()
    assert case.status == "decided"
    page = c.get(f"/supervision/institutions/{world['own'].pk}/").content.decode()
    assert "中止" in page and case.number in page
    # a bad decision names the field
    other = world["cases"][world["other"].pk]
    c.post(f"/supervision/cases/{other.pk}/transition/", {"target": "investigating", "on": "2024-05-11"})
    r = c.post(
        f"/supervision/cases/{other.pk}/decide/",
        {
            "decided_on": "2024-06-01",
            "penalty": "on",
            "recovered": "0",
            "rejected": "0",
            "obtained": "100",
            "fine_basis": "art38",
            "fine_multiple": "3",
            "agreement_action": "none",
        },
    )
    assert r.status_code == 200 and 'data-testid="error-fine_multiple"' in r.content.decode()


def test_institutions_api_scoped(world, api_as):
    staff_rows = api_as(world["staff"]).get("/api/v1/supervision/institutions/").json()["results"]
    assert {r["code"] for r in staff_rows} >= {world["own"].code, world["other"].code}
    own_rows = api_as(world["user"]).get("/api/v1/supervision/institutions/").json()["results"]
    assert [r["code"] for r in own_rows] == [world["own"].code]
    assert own_rows[0]["agreement_status"] == "active"
    assert api_as(world["user"]).get(f"/api/v1/supervision/institutions/{world['other'].pk}/").status_code == 404


def test_pages_in_english_when_chosen(world, client_as, settings):
    c = client_as(world["staff"])
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = c.get("/supervision/figures/?year=2024").content.decode()
    assert "Fund supervision in 2024" in html and "On-site inspections (visits)" in html
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "2024年基金监管工作情况" in c.get("/supervision/figures/?year=2024").content.decode()


def test_rules_page_edits_and_runs(world, client_as):
    from supervision.models import AuditRule

    c = client_as(world["staff"])
    rule = AuditRule.objects.get(code="JG-XB-001")
    r = c.post(
        f"/supervision/rules/{rule.pk}/",
        {"name": rule.name, "enabled": "on", "answer_days": "10", "params": '{"items": {"311100*": "X"}}'},
    )
    assert r.status_code == 200 and 'data-testid="error-params"' in r.content.decode()
    r = c.post(
        f"/supervision/rules/{rule.pk}/",
        {"name": "限男性项目", "answer_days": "7", "params": '{"items": {"311100*": "M"}}'},
    )
    rule.refresh_from_db()
    assert r.status_code == 302 and (rule.name, rule.enabled, rule.answer_days) == ("限男性项目", False, 7)
    from medinsure.jobs.models import OutboxMessage

    r = c.post("/supervision/rules/", {"kind": "monthly", "month": "2024-05"})
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")
    job_id = r["Location"].split("/")[2]
    queued = OutboxMessage.objects.get(job_id=job_id)  # the run is queued through the outbox with its job
    assert queued.task == "supervision.audit_monthly" and queued.args[0] == "2024-05"


def test_flag_reads_through_the_api_are_audited(world, api_as):
    """Flags carry insured persons' ID numbers: the list and each flag read leave an audit row."""
    from medinsure.audit.models import AuditLog

    api = api_as(world["user"])
    own_flag = world["flags"][world["own"].pk]
    before = AuditLog.objects.filter(object_type="supervision.flag", action=AuditLog.Action.VIEW).count()
    assert api.get("/api/v1/supervision/flags/?status=pushed").status_code == 200
    assert api.get(f"/api/v1/supervision/flags/{own_flag}/").status_code == 200
    rows = AuditLog.objects.filter(object_type="supervision.flag", action=AuditLog.Action.VIEW).order_by("id")[before:]
    assert [(r.actor_id, r.object_id) for r in rows] == [(world["user"].pk, ""), (world["user"].pk, str(own_flag))]
    assert "status=pushed" in rows[0].summary
