"""Every page and endpoint, for a worker of the same and of another township: what must NOT be seen."""

from datetime import date

import pytest
from django.urls import reverse

from enrollment import services
from enrollment.models import InsuranceStatus, MobilisationTask
from medinsure.audit.models import AuditLog
from tests.enrollment.factories import ResidentFactory, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(registry, make_user):
    staff = make_user("enrollment")
    a = ResidentFactory(hukou_division=registry.village_a1, name="甲村人", phone="13911112222")
    b = ResidentFactory(hukou_division=registry.village_b1, name="乙村人", phone="13933334444")
    InsuranceStatus.objects.create(resident=b, year=2025, status="tier1", source="tax", status_date=date(2024, 10, 1))
    services.tasks_sync(year=2025)
    services.guideline_tasks_compute(actor=staff, year=2025)
    services.progress_refresh(year=2025, day=date(2024, 12, 1))
    return {
        "staff": staff,
        "a": a,
        "b": b,
        "town_a": make_user("township", registry.town_a),
        "town_b": make_user("township", registry.town_b),
        "village_a": make_user("village", registry.village_a1),
        "leader": make_user("leader"),
        "claims": make_user("claims"),
        "api": make_user("api_client"),
        "tree": registry,
    }


def test_resident_pages_scoped_and_masked(world, client_as):
    a, b = world["a"], world["b"]
    c = client_as(world["town_b"])
    assert c.get(reverse("enrollment:resident", args=[a.pk])).status_code == 404
    page = c.get(reverse("enrollment:resident", args=[b.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert b.id_number not in html and b.id_number[:6] + "********" + b.id_number[-4:] in html
    assert "139****4444" in html
    assert AuditLog.objects.filter(actor=world["town_b"], action="view", object_id=str(b.pk)).exists()
    listing = c.get(reverse("enrollment:residents")).content.decode()
    assert "乙村人" in listing and "甲村人" not in listing
    staff_page = client_as(world["staff"]).get(reverse("enrollment:resident", args=[a.pk])).content.decode()
    assert a.id_number in staff_page and "13911112222" in staff_page
    # a department with no enrollment area: 403
    assert client_as(world["claims"]).get(reverse("enrollment:residents")).status_code == 403


def test_resident_api_scoped_masked_audited(world, api_as):
    a, b = world["a"], world["b"]
    api = api_as(world["town_b"])
    assert api.get(f"/api/v1/enrollment/residents/{a.pk}/").status_code == 404
    r = api.get(f"/api/v1/enrollment/residents/{b.pk}/")
    assert r.status_code == 200 and r.json()["id_number"] != b.id_number and r.json()["phone"] == "139****4444"
    assert r.json()["birth_date"] is None and r.json()["age"] is not None  # the date would rebuild the ID
    listing = api.get("/api/v1/enrollment/residents/?year=2025").json()
    assert [x["name"] for x in listing["results"]] == ["乙村人"]
    full = api_as(world["staff"]).get(f"/api/v1/enrollment/residents/{a.pk}/").json()
    assert full["id_number"] == a.id_number and full["birth_date"] == a.birth_date.isoformat()
    assert AuditLog.objects.filter(actor=world["town_b"], action="export").exists()
    assert api_as(world["api"]).get("/api/v1/enrollment/residents/").status_code == 403


def test_progress_api_and_selector_same_rows_and_scoped(world, api_as):
    from enrollment.selectors import progress_rows

    tree = world["tree"]
    r = api_as(world["api"]).get("/api/v1/enrollment/progress/?year=2025&level=township")
    assert r.status_code == 200
    rows = r.json()
    assert {x["division_code"] for x in rows} == {tree.town_a.code, tree.town_b.code}
    assert set(rows[0]) == {"division_code", "division_name", "task", "insured", "rate", "rank"}
    assert isinstance(rows[0]["rate"], str)
    sel = progress_rows(user=world["api"], year=2025)
    assert [(x["division_code"], str(x["rate"]), x["rank"]) for x in sel] == [
        (x["division_code"], x["rate"], x["rank"]) for x in rows
    ]
    # a township worker sees only their own township and its villages
    own = api_as(world["town_b"]).get("/api/v1/enrollment/progress/?year=2025").json()
    assert [x["division_code"] for x in own] == [tree.town_b.code]
    villages = (
        api_as(world["town_b"])
        .get(f"/api/v1/enrollment/progress/?year=2025&level=village&parent={tree.town_a.code}")
        .json()
    )
    assert villages == []
    v = (
        api_as(world["leader"])
        .get(f"/api/v1/enrollment/progress/?year=2025&level=village&parent={tree.town_a.code}")
        .json()
    )
    assert {x["division_code"] for x in v} == {tree.village_a1.code, tree.village_a2.code}
    bad = api_as(world["api"]).get("/api/v1/enrollment/progress/?year=abc&level=city")
    assert bad.status_code == 400 and {"year", "level"} <= set(bad.json())
    assert api_as(world["claims"]).get("/api/v1/enrollment/progress/?year=2025").status_code == 403


def test_guideline_selector_and_api(world, api_as):
    from enrollment.selectors import guideline_tasks

    rows = guideline_tasks(user=world["leader"], year=2025)
    assert [r["township_code"] for r in rows] == [world["tree"].town_a.code, world["tree"].town_b.code]
    assert {"township_code", "township_name", "task", "last_year_task", "last_year_actual"} <= set(rows[0])
    assert [r["township_code"] for r in guideline_tasks(user=world["town_b"], year=2025)] == [world["tree"].town_b.code]
    api = api_as(world["town_a"]).get("/api/v1/enrollment/guideline-tasks/?year=2025").json()
    assert [r["township_code"] for r in api] == [world["tree"].town_a.code]


def test_tasks_pages_and_api_scoped(world, client_as, api_as):
    t_a = MobilisationTask.objects.get(resident=world["a"])
    c = client_as(world["town_b"])
    r = c.post(reverse("enrollment:task_outcome", args=[t_a.pk]), {"outcome": "enrolled", "version": 1})
    assert r.status_code == 404
    assert (
        api_as(world["town_b"])
        .post(f"/api/v1/enrollment/tasks/{t_a.pk}/outcome/", {"outcome": "enrolled", "version": 1})
        .status_code
        == 404
    )
    assert "甲村人" not in c.get(reverse("enrollment:my_tasks")).content.decode()
    listing = api_as(world["town_b"]).get("/api/v1/enrollment/tasks/?year=2025").json()
    assert listing["count"] == 0
    # own township's worker: masked phone unless the task is theirs
    mine = api_as(world["town_a"]).get("/api/v1/enrollment/tasks/?year=2025").json()["results"]
    assert mine[0]["phone"] == "139****2222"
    services.tasks_split(actor=world["town_a"], year=2025, plan=services.SplitPlan(mode="by_village"))
    vw = api_as(world["village_a"]).get("/api/v1/enrollment/tasks/?year=2025").json()["results"]
    assert vw[0]["phone"] == "13911112222" and vw[0]["id_number"] != world["a"].id_number
    page = client_as(world["village_a"]).get(reverse("enrollment:my_tasks")).content.decode()
    assert 'href="tel:13911112222"' in page
    ok = api_as(world["village_a"]).post(
        f"/api/v1/enrollment/tasks/{t_a.pk}/outcome/", {"outcome": "refused", "version": 2}
    )
    assert ok.status_code == 400 and "refusal_reason" in ok.json()
    ok = api_as(world["village_a"]).post(
        f"/api/v1/enrollment/tasks/{t_a.pk}/outcome/", {"outcome": "promised", "version": 2}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "follow_up"
    stale = api_as(world["town_a"]).post(
        f"/api/v1/enrollment/tasks/{t_a.pk}/outcome/", {"outcome": "enrolled", "version": 2}
    )
    assert stale.status_code == 409


def test_stats_pages_scoped(world, client_as):
    tree = world["tree"]
    dash = client_as(world["town_b"]).get(reverse("enrollment:dashboard") + "?year=2025").content.decode()
    assert tree.town_b.name in dash and tree.town_a.name not in dash
    full = client_as(world["leader"]).get(reverse("enrollment:dashboard") + "?year=2025").content.decode()
    assert tree.town_a.name in full and tree.town_b.name in full and "echarts.min.js" in full
    bul = client_as(world["leader"]).get(reverse("enrollment:bulletin") + "?year=2025&format=xlsx")
    assert bul.status_code == 200 and bul["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(bul.content))
    names = [r[2] for r in wb.worksheets[0].iter_rows(min_row=3, values_only=True)]
    assert set(names) == {tree.town_a.name, tree.town_b.name}
    g = client_as(world["town_b"]).get(reverse("enrollment:guideline") + "?year=2025").content.decode()
    assert tree.town_b.name in g and tree.town_a.name not in g
    # only bureau staff may edit guideline tasks or import
    assert (
        client_as(world["town_b"]).post(reverse("enrollment:guideline"), {"action": "issue", "year": 2025}).status_code
        == 403
    )
    assert client_as(world["town_b"]).get(reverse("enrollment:imports")).status_code == 403
    assert client_as(world["staff"]).get(reverse("enrollment:imports")).status_code == 200


def test_guideline_edit_page(world, client_as):
    from enrollment.models import GuidelineTask

    g = GuidelineTask.objects.get(township=world["tree"].town_a)
    c = client_as(world["staff"])
    c.post(
        reverse("enrollment:guideline"),
        {"action": "edit", "year": 2025, "task_id": g.pk, "task": g.task + 3, "reason": "", "version": g.version},
    )
    g.refresh_from_db()
    assert g.version == 1
    r = c.post(
        reverse("enrollment:guideline"),
        {
            "action": "edit",
            "year": 2025,
            "task_id": g.pk,
            "task": g.task + 3,
            "reason": "新增安置小区",
            "version": g.version,
        },
        follow=True,
    )
    g.refresh_from_db()
    assert g.edit_reason == "新增安置小区" and "新增安置小区" in r.content.decode()


def test_import_template_and_error_report_download(world, client_as):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    c = client_as(world["staff"])
    tpl = c.get(reverse("enrollment:import_template", args=["police", "xlsx"]))
    headers = [x.value for x in load_workbook(BytesIO(tpl.content)).active[1]]
    assert headers[:3] == ["身份证号", "姓名", "户籍地区划代码"]
    content = "身份证号,姓名,户籍地区划代码\n110105194912310021,坏号,500116101201\n".encode()
    r = c.post(reverse("enrollment:imports"), {"source": "police", "file": SimpleUploadedFile("bad.csv", content)})
    assert r.status_code == 302
    detail = c.get(r["Location"]).content.decode()
    assert "校验位" in detail
    batch_id = int(r["Location"].rstrip("/").split("/")[-1])
    x = c.get(reverse("enrollment:import_errors", args=[batch_id]))
    rows = list(load_workbook(BytesIO(x.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("行号", "列", "值", "错误说明") and rows[2][0] == 2 and "校验位" in rows[2][3]
    # another township's worker cannot see a batch
    assert client_as(world["town_a"]).get(reverse("enrollment:import_detail", args=[batch_id])).status_code in (
        403,
        404,
    )


def test_import_pages_are_the_importers_and_the_report_masks_for_others(world, client_as):
    """Issue 15: the import pages (list, detail, error report, template) are the enrollment department's,
    who import: the leader (who reads every other enrollment page) and a township worker get 403/404.
    The report itself still masks the refused cell for a role without the right, should one get it."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from medinsure.core.imports import RowError, error_report_xlsx

    bad_id = "110105194912310021"
    content = f"身份证号,姓名,户籍地区划代码\n{bad_id},坏号,500116101201\n".encode()
    r = client_as(world["staff"]).post(
        reverse("enrollment:imports"), {"source": "police", "file": SimpleUploadedFile("bad.csv", content)}
    )
    batch_id = int(r["Location"].rstrip("/").split("/")[-1])
    staff = client_as(world["staff"]).get(reverse("enrollment:import_errors", args=[batch_id]))
    rows = list(load_workbook(BytesIO(staff.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("bad.csv") and rows[1] == ("行号", "列", "值", "错误说明")
    assert rows[2][:3] == (2, "身份证号", bad_id) and "校验位" in rows[2][3]
    assert (
        bad_id in client_as(world["staff"]).get(reverse("enrollment:import_detail", args=[batch_id])).content.decode()
    )
    for who in ("leader", "town_a"):
        c = client_as(world[who])
        for url in (
            reverse("enrollment:imports"),
            reverse("enrollment:import_detail", args=[batch_id]),
            reverse("enrollment:import_errors", args=[batch_id]),
            reverse("enrollment:import_template", args=["police", "xlsx"]),
        ):
            assert c.get(url).status_code in (403, 404), (who, url)
    masked = error_report_xlsx([RowError(2, "身份证号", bad_id, "校验位不正确")], viewer=world["leader"], title="t")
    cells = list(load_workbook(BytesIO(masked)).active.iter_rows(values_only=True))
    assert cells[2][:3] == (2, "身份证号", "110105********0021")


def test_xlsx_templates_have_drop_downs_from_the_parsers_tables(world, client_as):
    from io import BytesIO

    from openpyxl import load_workbook

    from enrollment import importers

    def rules(source):
        tpl = client_as(world["staff"]).get(reverse("enrollment:import_template", args=[source, "xlsx"]))
        ws = load_workbook(BytesIO(tpl.content))["导入模板"]
        return ws, {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}

    ws, police = rules("police")
    assert police == {"G2:G10000": '"在册,出生,迁入,迁出,死亡"'}  # 变动类型; nothing on free columns
    assert ws["A2"].value == "500116199001011234" and ws["A3"].number_format == "@"  # ID numbers stay text
    _ws, tax = rules("tax")
    assert tax == {"C2:C10000": '"一档,二档"'}
    assert set(importers.TIER_LABELS) >= {"一档", "二档"}
    _ws, civil = rules("civil")
    spec = importers.SOURCES["civil"]
    for letter, col in (("C", spec.columns[2]), ("D", spec.columns[3])):
        offered = civil[f"{letter}2:{letter}10000"].strip('"').split(",")
        assert offered and set(offered) <= set(col.choices)  # every label offered is one the parser accepts
    assert rules("hr")[1] == {} and rules("education")[1] == {}


def test_openapi_schema_lists_enrollment_endpoints(world, api_as):
    r = api_as(world["leader"]).get("/api/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/enrollment/progress/" in paths and "/api/v1/enrollment/tasks/{id}/outcome/" in paths


def test_bulletin_and_task_summary_api_scoped(world, api_as):
    tree = world["tree"]
    rows = api_as(world["leader"]).get("/api/v1/enrollment/progress/bulletin/?year=2025").json()
    assert {r["division_code"] for r in rows} == {tree.town_a.code, tree.town_b.code}
    assert {"change", "parent_code", "day"} <= set(rows[0])
    day = rows[0]["day"]
    assert api_as(world["leader"]).get(f"/api/v1/enrollment/progress/?year=2025&day={day}").json()
    assert api_as(world["leader"]).get("/api/v1/enrollment/progress/?year=2025&day=2020-01-01").json() == []
    own = api_as(world["town_b"]).get("/api/v1/enrollment/progress/bulletin/?year=2025&level=village").json()
    assert {r["parent_code"] for r in own} == {tree.town_b.code}
    summary = api_as(world["town_a"]).get("/api/v1/enrollment/tasks/summary/?year=2025").json()
    assert [s["code"] for s in summary] == [tree.village_a1.code] and summary[0]["open"] == 1
    assert api_as(world["town_b"]).get("/api/v1/enrollment/tasks/summary/?year=2025").json() == []


def test_stale_save_in_the_browser_keeps_what_the_worker_typed(world, client_as):
    t = MobilisationTask.objects.get(resident=world["a"])
    services.task_record_outcome(actor=world["town_a"], task_id=t.pk, version=1, outcome="unreachable")
    r = client_as(world["town_a"]).post(
        reverse("enrollment:task_outcome", args=[t.pk]),
        {"outcome": "refused", "refusal_reason": "cannot_afford", "note": "嫌贵", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 409
    html = r.content.decode()
    assert "刷新" in html and 'value="嫌贵"' in html and '<option value="refused" selected>' in html
    t.refresh_from_db()
    assert (t.outcome, t.version) == ("unreachable", 2)


def test_opt_out_on_the_resident_page_is_scoped_and_kept(world, client_as):
    from enrollment.models import ResidentHistory

    b = world["b"]
    assert (
        client_as(world["town_a"])
        .post(reverse("enrollment:resident", args=[b.pk]), {"reminder_opt_out": "1"})
        .status_code
        == 404
    )
    r = client_as(world["town_b"]).post(reverse("enrollment:resident", args=[b.pk]), {"reminder_opt_out": "1"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.reminder_opt_out is True
    assert ResidentHistory.objects.filter(resident=b, field="reminder_opt_out").exists()


def test_split_page(world, client_as):
    tree = world["tree"]
    c = client_as(world["town_a"])
    page = c.get(reverse("enrollment:task_split") + "?year=2025").content.decode()
    assert tree.village_a1.name in page and tree.village_b1.name not in page
    r = c.post(
        reverse("enrollment:task_split") + "?year=2025",
        {"mode": "by_count", "assignee": world["village_a"].pk, "count": 5, "year": 2025},
        follow=True,
    )
    assert "已分派 1 条任务" in r.content.decode()
    assert MobilisationTask.objects.get(resident=world["a"]).assignee == world["village_a"]
    r = c.post(
        reverse("enrollment:task_split") + "?year=2025",
        {"mode": "by_count", "assignee": world["village_a"].pk, "year": 2025},
    )
    assert "请填写分派数量" in r.content.decode()


def test_query_counts_are_fixed(world, django_assert_num_queries):
    from enrollment import selectors

    with django_assert_num_queries(1):
        selectors.progress_rows(user=world["leader"], year=2025)
    with django_assert_num_queries(3):
        selectors.guideline_tasks(user=world["leader"], year=2025)
    with django_assert_num_queries(1):
        list(selectors.resident_list(world["staff"], q="甲"))
    with django_assert_num_queries(1):
        list(selectors.task_list(world["town_a"], year=2025))


@pytest.mark.parametrize("role", ["enrollment", "leader", "director", "township", "village", "admin"])
def test_every_menu_entry_opens_for_the_roles_that_see_it(world, client_as, make_user, role):
    from medinsure.navigation import menu_for

    tree = world["tree"]
    division = {"township": tree.town_a, "village": tree.village_a1}.get(role)
    user = make_user(role, division)
    c = client_as(user)
    entries = [e for section in menu_for(user) if section["area"] == "enrollment" for e in section["entries"]]
    assert entries
    for e in entries:
        r = c.get(e["url"])
        assert r.status_code in (200, 302), (e, r.status_code)
    home = c.get("/").content.decode()
    assert "参保进度" in home or "我的动员任务" in home


def test_nothing_of_another_township_on_any_page_or_endpoint(world, client_as, api_as):
    """Town B's worker, on every page and endpoint: nothing of town A (its name, its resident, its villages)."""
    from enrollment.models import ReminderMessage

    tree = world["tree"]
    camp = make_campaign(2025)
    ReminderMessage.objects.create(
        campaign=camp, resident=world["a"], round_id="2024-R1", phone=world["a"].phone, text="提醒"
    )
    a, t_a = world["a"], MobilisationTask.objects.get(resident=world["a"])
    forbidden = [tree.town_a.name, tree.village_a1.name, tree.village_a2.name, a.name, a.id_number, a.phone[-4:] + "</"]
    pages = [
        "/enrollment/?year=2025",
        "/enrollment/?year=2025&level=village",
        f"/enrollment/?year=2025&level=village&parent={tree.town_a.code}",
        "/enrollment/bulletin/?year=2025",
        "/enrollment/guideline/?year=2025",
        "/enrollment/residents/?year=2025",
        f"/enrollment/residents/?q={a.id_number}",
        "/enrollment/tasks/?year=2025",
        "/enrollment/tasks/mine/?year=2025&status=",
        "/enrollment/reminders/",
    ]
    c = client_as(world["town_b"])
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, url
        # the search box and the language form echo what was typed: not a leak
        html = r.content.decode().replace(f'value="{a.id_number}"', "").replace(f"q={a.id_number}", "")
        assert not [f for f in forbidden if f in html], (url, [f for f in forbidden if f in html])
    assert c.get(reverse("enrollment:resident", args=[a.pk])).status_code == 404
    assert (
        c.post(reverse("enrollment:task_outcome", args=[t_a.pk]), {"outcome": "enrolled", "version": 1}).status_code
        == 404
    )
    api = api_as(world["town_b"])
    endpoints = [
        "/api/v1/enrollment/progress/?year=2025",
        "/api/v1/enrollment/progress/?year=2025&level=village",
        "/api/v1/enrollment/progress/bulletin/?year=2025&level=village",
        "/api/v1/enrollment/progress/series/?year=2025",
        "/api/v1/enrollment/guideline-tasks/?year=2025",
        "/api/v1/enrollment/residents/?year=2025",
        "/api/v1/enrollment/tasks/?year=2025",
        "/api/v1/enrollment/tasks/summary/?year=2025",
        "/api/v1/enrollment/reminders/summary/",
    ]
    for url in endpoints:
        r = api.get(url)
        assert r.status_code == 200, url
        body = r.content.decode()
        assert not [f for f in forbidden[:5] if f in body], (url, body[:300])
    assert api.get(f"/api/v1/enrollment/residents/{a.pk}/").status_code == 404
    found = api.post("/api/v1/enrollment/residents/search/", {"q": a.id_number, "year": 2025}, format="json")
    assert found.status_code == 200 and found.json()["count"] == 0, found.content
    # the district series sums only what the worker may see
    series = api.get("/api/v1/enrollment/progress/series/?year=2025").json()
    own = api.get("/api/v1/enrollment/progress/?year=2025").json()
    assert series[-1]["task"] == sum(r["task"] for r in own)


def test_campaign_page_and_api(world, client_as, api_as):
    page = client_as(world["town_b"]).get(reverse("enrollment:campaigns")).content.decode()
    assert "1070.00 元" in page and "670.00 元" in page and "400.00 元" in page
    rows = api_as(world["api"]).get("/api/v1/enrollment/campaigns/").json()
    tier1 = next(t for t in rows[0]["tiers"] if t["code"] == "tier1")
    assert (rows[0]["year"], tier1["standard"], tier1["subsidy"], tier1["personal"]) == (
        2025,
        "1070.00",
        "670.00",
        "400.00",
    )
    assert api_as(world["claims"]).get("/api/v1/enrollment/campaigns/").status_code == 403


def test_resident_history_masks_numbers_for_roles_that_may_not_see_them(world, client_as):
    """A police import records the old and new phone in the change history; a township worker sees them masked."""
    from enrollment.models import ResidentHistory

    b = world["b"]
    ResidentHistory.objects.create(
        resident=b, source="police", field="resident", before={"phone": "13900001111"}, after={"phone": b.phone}
    )
    html = client_as(world["town_b"]).get(reverse("enrollment:resident", args=[b.pk])).content.decode()
    assert "13900001111" not in html and "13933334444" not in html
    assert "139****1111" in html
    staff_html = client_as(world["staff"]).get(reverse("enrollment:resident", args=[b.pk])).content.decode()
    assert "13900001111" in staff_html


def test_guideline_edit_with_a_missing_or_bad_task_id_says_so(world, client_as):
    """A stale page (task deleted) or a tampered form gets a message, not a server error."""
    c = client_as(world["staff"])
    for task_id in ("", "abc", "999999"):
        r = c.post(
            reverse("enrollment:guideline"),
            {"action": "edit", "year": 2025, "task_id": task_id, "task": 5, "reason": "x", "version": 0},
            follow=True,
        )
        assert r.status_code == 200
        assert "该指导性任务不存在" in r.content.decode()


def test_task_outcome_redirects_only_inside_the_site(world, client_as):
    t_a = MobilisationTask.objects.get(resident=world["a"])
    c = client_as(world["town_a"])
    url = reverse("enrollment:task_outcome", args=[t_a.pk])
    r = c.post(url, {"outcome": "promised", "version": 1, "next": "https://evil.example/phish"})
    assert r.status_code == 302 and r["Location"] == reverse("enrollment:my_tasks")
    r = c.post(url, {"outcome": "promised", "version": 2, "next": "/enrollment/tasks/?status=closed"})
    assert r["Location"] == "/enrollment/tasks/?status=closed"
