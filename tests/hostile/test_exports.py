"""CSV/Excel injection: text that came from users (an imported cell, a file name, an error that
quotes a value) and starts with = + - @ is written as text in every workbook we generate, so
``=cmd|' /C calc'!A0`` never becomes a formula when the bureau opens the report in Excel."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from medinsure.accounts.models import Role
from tests.hostile.files import FORMULA

pytestmark = pytest.mark.django_db


def cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_neutral(content: bytes, expected: int = 1):
    found = cells(content)
    assert not [c.coordinate for c in found if c.data_type == "f"], "a user's text became a formula"
    assert sum(1 for c in found if c.value == "'" + FORMULA) >= expected  # kept, visibly, as text


def _enrollment():
    from medinsure.core.imports import RowError, error_report_xlsx  # enrollment's report is the core's

    return error_report_xlsx([RowError(2, FORMULA, FORMULA, FORMULA)], viewer=None, title=FORMULA)


def _claims():
    from medinsure.core.imports import RowError, error_report_xlsx  # claims' report is the core's

    return error_report_xlsx([RowError(**{"line": 2, "column": FORMULA, "message": FORMULA})], viewer=None)


def _fundbudget():
    from fundbudget.importers import parse_statement_rows
    from medinsure.core.imports import error_report_xlsx

    errors = parse_statement_rows([{"fund": FORMULA, "year": 2024, "month": 1}]).errors
    return error_report_xlsx(errors, viewer=None, title=FORMULA)


def _supervision():
    from medinsure.core.imports import RowError, error_report_xlsx
    from supervision.importers import ImportReport

    return error_report_xlsx(ImportReport(errors=[RowError(2, FORMULA, FORMULA, FORMULA)]).errors, viewer=None)


def _replies():
    from medinsure.core.imports import error_report_xlsx
    from replies.importers import row_error
    from replies.rules.intake import IntakeError

    return error_report_xlsx([row_error(IntakeError(2, "标题", "invalid", FORMULA))], viewer=None)


@pytest.mark.parametrize("make", [_enrollment, _claims, _fundbudget, _supervision, _replies])
def test_error_reports_write_formulas_as_text(make):
    assert_neutral(make())


def test_an_uploaded_formula_comes_back_as_text_in_the_error_report(
    divisions, make_user, client_as, settings, tmp_path
):
    """End to end: a police file whose ID cell and file name are formulas; the error report downloaded."""
    settings.PRIVATE_FILES_ROOT = tmp_path
    from enrollment.models import ImportBatch

    client = client_as(make_user(Role.ENROLLMENT))
    header = "身份证号,姓名,户籍地区划代码\n"
    body = f'"{FORMULA}",@SUM(1+1),{divisions.village_a1.code}\n'
    r = client.post(
        "/enrollment/imports/",
        {"source": "police", "file": SimpleUploadedFile("=HYPERLINK(1).csv", (header + body).encode("gbk"))},
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    batch = ImportBatch.objects.get()
    assert batch.error_rows == 1
    report = client.get(f"/enrollment/imports/{batch.pk}/errors.xlsx")
    assert report.status_code == 200
    found = cells(report.content)
    assert not [c.coordinate for c in found if c.data_type == "f"]
    assert any(c.value == "'" + FORMULA for c in found)
    assert str(found[0].value).startswith("'=HYPERLINK(1).csv")  # the title names the file: also text


def test_the_calculators_csv_writes_a_formula_visit_id_as_text(make_user, client_as):
    """The calculator's OUT file echoes each visit id of the uploaded file."""
    import csv

    from django.conf import settings

    fixture = settings.BASE_DIR / "fixtures" / "claims" / "visits-guanxian-2018.csv"
    lines = fixture.read_text(encoding="utf-8").splitlines()
    first = next(csv.reader([lines[1]]))
    first[0] = FORMULA
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(first)
    text = "\n".join([lines[0], out.getvalue().rstrip("\n"), *lines[2:]]) + "\n"
    client = client_as(make_user(Role.CLAIMS))
    r = client.post(
        "/claims/calculator/file/",
        {"policy": "guanxian-2018", "visits": SimpleUploadedFile("v.csv", text.encode("gbk"))},
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv"), r.content.decode()[-1500:]
    rows = list(csv.reader(r.content.decode().splitlines()))
    assert rows[1][0] == "'" + FORMULA
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
