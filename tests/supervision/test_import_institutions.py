"""Institutions from a real Excel file: whole-file check, errors by line, nothing half-written,
re-import changes nothing; through the pages too."""

import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from medinsure.accounts.models import Role
from medinsure.core.imports import RowError, error_report_xlsx
from medinsure.institutions.models import Institution
from supervision import importers
from supervision.models import Agreement, AgreementEvent
from tests.supervision import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.service]

HEADER = list(importers.COLUMNS.values())


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_rows(divisions):
    return [
        [
            "H50011688001",
            "甲镇卫生院",
            "定点医疗机构",
            "乡镇卫生院",
            "一级",
            divisions.town_a.name,
            "甲镇1号",
            "XY-88001",
            "2024-01-01",
            "2026-12-31",
        ],
        [
            "P50011688002",
            "乙镇大药房",
            "定点零售药店",
            "零售药店",
            "",
            divisions.town_b.code,
            "",
            "XY-88002",
            "2024/02/01",
            "",
        ],
    ]


def test_clean_file_imports_and_reimport_changes_nothing(divisions, tmp_path):
    staff = f.staff()
    path = tmp_path / "机构.xlsx"
    path.write_bytes(workbook(good_rows(divisions)))
    report = importers.read_institutions(path)
    assert report.ok, report.errors
    importers.import_institutions(actor=staff, report=report)
    assert (report.created, report.updated) == (2, 0)
    inst = Institution.objects.get(code="H50011688001")
    assert (inst.kind, inst.level, inst.division) == ("medical", 1, divisions.town_a)
    assert Agreement.objects.get(institution=inst).number == "XY-88001"
    assert AgreementEvent.objects.filter(action="sign").count() == 2
    again = importers.import_institutions(actor=staff, report=importers.read_institutions(path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AgreementEvent.objects.filter(action="sign").count() == 2


def test_errors_are_reported_by_line_and_nothing_is_written(divisions, tmp_path):
    rows = good_rows(divisions) + [
        ["X123", "", "医院", "", "五级", "不存在的镇", "", "XY-88001", "2024-13-01", ""],
        ["H50011688001", "重复", "定点零售药店", "", "", divisions.town_a.name, "", "XY-9", "2024-01-01", "2023-01-01"],
    ]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(rows))
    report = importers.read_institutions(path)
    assert not report.ok
    by_line = {}
    for e in report.errors:
        by_line.setdefault(e.line, set()).add(e.column)
    assert by_line[4] >= {"国家医保编码", "机构名称", "类别", "医院等级", "所在镇街", "协议编号", "协议签订日期"}
    assert by_line[5] >= {"国家医保编码", "类别", "协议有效期至"}
    assert 2 not in by_line and 3 not in by_line
    with pytest.raises(ValueError):
        importers.import_institutions(actor=f.staff(), report=report)
    assert not Institution.objects.filter(code__startswith="H500116880").exists()
    ws = load_workbook(io.BytesIO(error_report_xlsx(report.errors, viewer=f.staff()))).active
    assert ws.max_row == len(report.errors) + 1
    assert RowError(4, "所在镇街", "不存在的镇", "未知的镇街") in report.errors


def test_missing_columns(tmp_path, db):
    wb = Workbook()
    wb.active.append(["机构名称"])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "x.xlsx"
    path.write_bytes(buf.getvalue())
    report = importers.read_institutions(path)
    assert "国家医保编码" in str(report.errors[0].message)


def test_import_through_the_page(divisions, client_as):
    c = client_as(f.staff())
    upload = io.BytesIO(workbook(good_rows(divisions)))
    upload.name = "机构.xlsx"
    r = c.post("/supervision/institutions/import/", {"file": upload})
    html = r.content.decode()
    assert 'data-testid="import-ok"' in html and not Institution.objects.filter(code="H50011688001").exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    r = c.post("/supervision/institutions/import/", {"accept": "1", "token": token})
    assert r.status_code == 302
    assert Institution.objects.filter(code__in=["H50011688001", "P50011688002"]).count() == 2


def test_template_has_drop_downs_of_what_the_reader_accepts(divisions, client_as, tmp_path):
    r = client_as(f.staff()).get("/supervision/institutions/import/template.xlsx")
    ws = load_workbook(io.BytesIO(r.content))["定点医药机构"]
    assert [c.value for c in ws[1]] == HEADER
    rules = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert rules["C2:C10000"] == '"定点医疗机构,定点零售药店"'
    assert rules["E2:E10000"] == '"一级及以下,二级,三级,市外"'
    towns = rules["F2:F10000"].strip('"').split(",")
    assert {divisions.town_a.name, divisions.town_b.name} <= set(towns)
    assert set(rules) == {"C2:C10000", "E2:E10000", "F2:F10000"}  # the other columns are free text
    # the example row and every choice read back clean
    example = [c.value for c in ws[2]]
    choices = [("定点医疗机构", "H", level) for level in ("一级及以下", "二级", "三级", "市外")]
    choices.append(("定点零售药店", "P", ""))
    rows = [example] + [
        [f"{prefix}5001169900{i}", "某机构", kind, "", level, towns[i % len(towns)], "", f"XY-T{i}", "2024-01-01", ""]
        for i, (kind, prefix, level) in enumerate(choices, start=1)
    ]
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook(rows))
    report = importers.read_institutions(path)
    assert report.ok, report.errors


def test_error_report_values_pass_through_the_viewers_masking(divisions, client_as, make_user):
    """The import is supervision staff's (issue 15: import pages for the staff who import): the leader,
    who reads the supervision area, is refused the page and the report; the report masks by viewer."""
    from medinsure.core.imports import error_report_xlsx

    row = good_rows(divisions)[0]
    row[5] = "13812345678"  # a phone number in the township column
    upload = io.BytesIO(workbook([row]))
    upload.name = "机构.xlsx"
    staff = client_as(f.staff())  # supervision staff may see them
    html = staff.post("/supervision/institutions/import/", {"file": upload}).content.decode()
    assert "13812345678" in html
    token = re.search(r"/supervision/institutions/import/([0-9a-f-]{36})/errors\.xlsx", html).group(1)
    ws = load_workbook(io.BytesIO(staff.get(f"/supervision/institutions/import/{token}/errors.xlsx").content)).active
    assert [c.value for c in ws[2]] == ["行号", "列", "值", "错误说明"]
    assert [c.value for c in ws[3]] == [2, "所在镇街", "13812345678", "未知的镇街"]
    leader = make_user(Role.LEADER)  # sees the supervision area, not personal numbers
    c = client_as(leader)
    assert c.get("/supervision/institutions/import/").status_code == 403
    assert c.get(f"/supervision/institutions/import/{token}/errors.xlsx").status_code == 403
    from supervision.models import InstitutionImport

    batch = InstitutionImport.objects.get(pk=token)  # the upload and its errors are in the database
    masked = error_report_xlsx(batch.row_errors(), viewer=leader, title="t")
    assert [c.value for c in load_workbook(io.BytesIO(masked)).active[3]] == [
        2,
        "所在镇街",
        "138****5678",
        "未知的镇街",
    ]


def test_institution_created_and_edited_in_the_portal(divisions, client_as):
    c = client_as(f.staff())
    r = c.post(
        "/supervision/institutions/new/",
        {"code": "P50011677001", "name": "新药房", "kind": "medical", "division": divisions.town_a.pk},
    )
    assert r.status_code == 200 and 'data-testid="error-kind"' in r.content.decode()
    r = c.post(
        "/supervision/institutions/new/",
        {"code": "P50011677001", "name": "新药房", "kind": "pharmacy", "division": divisions.town_a.pk},
    )
    inst = Institution.objects.get(code="P50011677001")
    assert r.status_code == 302
    c.post(
        f"/supervision/institutions/{inst.pk}/edit/",
        {"code": inst.code, "name": "新药房（更名）", "kind": "pharmacy", "division": divisions.town_b.pk},
    )
    inst.refresh_from_db()
    assert (inst.name, inst.division) == ("新药房（更名）", divisions.town_b)
    r = c.post(f"/supervision/institutions/{inst.pk}/", {"sign-number": "XY-77001", "sign-signed_on": "2024-01-01"})
    assert Agreement.objects.get(institution=inst).number == "XY-77001"
