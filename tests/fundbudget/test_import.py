"""Statement import from a real finance workbook: preview, error report, apply, idempotent re-import."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fundbudget import importers, selectors, services
from fundbudget.models import Fund, MonthlyStatement, StatementImport
from medinsure.accounts.models import Role
from medinsure.core.imports import RowError, error_report_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.service]

HEADER = list(importers.COLUMNS.values())


def workbook(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SEED_004_ROWS = [
    ["职工医保", 2024, 4, 74915100, 51730500, 581000000],
    ["城乡居民医保", 2024, 4, 45548100, 63866100, 51872000],
    ["长护险", 2024, 4, "3200000.50", 2100000.25, 15000000],
]


def test_template_reads_back_clean():
    parsed = importers.read_statement_workbook(importers.template_workbook())
    assert parsed.ok and parsed.rows[0]["fund"] == "employee" and parsed.rows[0]["income_ytd"] == "74915100.00"


def test_template_offers_the_funds_the_reader_takes_as_a_drop_down():
    ws = openpyxl.load_workbook(io.BytesIO(importers.template_workbook()))["月度收支"]
    rules = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert rules == {"A2:A10000": '"' + ",".join(str(label) for label in Fund.labels) + '"'}
    # every choice is a name the reader accepts, one per fund
    rows = [
        {"fund": label, "year": 2024, "month": i + 1, "income_ytd": 1, "expenditure_ytd": 1, "accumulated_balance": 1}
        for i, label in enumerate(importers.FUND_LABELS)
    ]
    parsed = importers.parse_statement_rows(rows)
    assert parsed.ok and [r["fund"] for r in parsed.rows] == list(Fund.values)


def test_error_report_values_pass_through_the_viewers_masking(fund_user, client_as, make_user):
    content = workbook([["13812345678", 2024, 4, 1, 1, 1]])  # a phone number typed into the fund column
    batch = services.statement_import_upload(actor=fund_user, filename="p.xlsx", content=content)
    assert batch.errors[0]["value"] == "13812345678"  # stored as typed
    ws = openpyxl.load_workbook(
        io.BytesIO(client_as(fund_user).get(reverse("fundbudget:import_errors", args=[batch.pk])).content)
    ).active
    assert (ws.cell(3, 2).value, ws.cell(3, 3).value) == ("基金", "138****5678")  # the fund role may not see it
    assert "13812345678" not in str(ws.cell(3, 4).value)  # nor does the message repeat it
    shown = openpyxl.load_workbook(
        io.BytesIO(error_report_xlsx(importers.stored_errors(batch.errors), viewer=make_user(Role.CLAIMS)))
    ).active
    assert shown.cell(2, 3).value == "13812345678"


def test_errors_stored_before_the_core_vocabulary_still_read_and_are_migrated(fund_user):
    import importlib

    from django.apps import apps

    old = [{"line": 3, "field": "月份", "message": "月份应为1至12"}]
    assert importers.stored_errors(old) == [RowError(3, "月份", "", "月份应为1至12")]
    batch = StatementImport.objects.create(
        filename="old.xlsx", sha256="0" * 64, uploaded_by=fund_user, status="invalid", errors=old
    )
    migration = importlib.import_module("fundbudget.migrations.0004_statement_import_errors_as_row_errors")
    migration.forwards(apps, None)
    batch.refresh_from_db()
    assert batch.errors == [{"line": 3, "column": "月份", "value": "", "message": "月份应为1至12"}]
    migration.backwards(apps, None)
    batch.refresh_from_db()
    assert batch.errors == old


def test_upload_preview_apply_then_reimport_changes_nothing(fund_user):
    content = workbook(SEED_004_ROWS)
    batch = services.statement_import_upload(actor=fund_user, filename="4月.xlsx", content=content)
    assert batch.status == StatementImport.Status.PREVIEW and batch.errors == []
    assert not MonthlyStatement.objects.exists()  # nothing written before the user accepts
    batch = services.statement_import_apply(actor=fund_user, import_id=batch.pk)
    assert batch.result == {"created": 3, "updated": 0, "unchanged": 0}
    ltc = MonthlyStatement.objects.get(fund="ltc")
    assert (ltc.income_ytd, ltc.expenditure_ytd) == (D("3200000.50"), D("2100000.25"))
    before = list(MonthlyStatement.objects.order_by("pk").values())
    # The same file again: every row unchanged, not a single row rewritten.
    again = services.statement_import_upload(actor=fund_user, filename="4月.xlsx", content=content)
    again = services.statement_import_apply(actor=fund_user, import_id=again.pk)
    assert again.result == {"created": 0, "updated": 0, "unchanged": 3}
    assert list(MonthlyStatement.objects.order_by("pk").values()) == before
    # Applying an applied batch twice is refused.
    with pytest.raises(ValidationError):
        services.statement_import_apply(actor=fund_user, import_id=again.pk)
    # A corrected file replaces only the changed row.
    fixed = workbook([SEED_004_ROWS[0], ["城乡居民医保", 2024, 4, 45548100, 63866100, 51872001]])
    b3 = services.statement_import_apply(
        actor=fund_user,
        import_id=services.statement_import_upload(actor=fund_user, filename="x.xlsx", content=fixed).pk,
    )
    assert b3.result == {"created": 0, "updated": 1, "unchanged": 1}


def test_errors_name_line_and_column_and_nothing_is_written(fund_user):
    content = workbook(
        [
            ["职工医保", 2024, 4, 74915100, 51730500, 581000000],
            ["养老保险", 2024, 13, -5, "abc", 1.234],
            ["职工医保", 2024, 4, 1, 1, 1],
            [None, None, None, None, None, None],  # blank line skipped
        ]
    )
    batch = services.statement_import_upload(actor=fund_user, filename="bad.xlsx", content=content)
    assert batch.status == StatementImport.Status.INVALID
    errors = {(e["line"], e["column"]) for e in batch.errors}
    assert errors == {
        (3, "基金"),
        (3, "月份"),
        (3, "本年累计收入(元)"),
        (3, "本年累计支出(元)"),
        (3, "累计结余(元)"),
        (4, "月份"),  # duplicate of line 2
    }
    dup = next(e for e in batch.errors if e["line"] == 4)
    assert "第2行" in dup["message"]
    with pytest.raises(ValidationError):
        services.statement_import_apply(actor=fund_user, import_id=batch.pk)
    assert not MonthlyStatement.objects.exists()
    data = error_report_xlsx(importers.stored_errors(batch.errors), viewer=fund_user)
    report = openpyxl.load_workbook(io.BytesIO(data)).active
    assert report.max_row == 1 + len(batch.errors)
    assert next(e for e in batch.errors if e["column"] == "基金")["value"] == "养老保险"


def test_missing_columns_and_unreadable_file(fund_user):
    batch = services.statement_import_upload(
        actor=fund_user, filename="h.xlsx", content=workbook([], header=["基金", "年度"])
    )
    assert {e["column"] for e in batch.errors} == set(HEADER[2:])
    batch = services.statement_import_upload(actor=fund_user, filename="x.xlsx", content=b"not a workbook")
    assert batch.status == StatementImport.Status.INVALID and batch.errors[0]["line"] == 0


def test_import_pages_end_to_end(fund_user, client_as, make_user):
    client = client_as(fund_user)
    assert client.get(reverse("fundbudget:import_template"))["Content-Type"].startswith("application/vnd.openxml")
    upload = io.BytesIO(workbook(SEED_004_ROWS))
    upload.name = "4月.xlsx"
    r = client.post(reverse("fundbudget:statement_import"), {"file": upload})
    batch = StatementImport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("fundbudget:import_preview", args=[batch.pk])
    page = client.get(r["Location"]).content.decode()
    assert "确认导入" in page and page.count("新增") >= 3
    r = client.post(reverse("fundbudget:import_apply", args=[batch.pk]), follow=True)
    assert "新增3条" in r.content.decode()
    assert MonthlyStatement.objects.count() == 3
    # Another fund-department user cannot see or apply someone else's upload: 404.
    other = client_as(make_user("fund"))
    assert other.get(reverse("fundbudget:import_preview", args=[batch.pk])).status_code == 404
    # A bad file shows its errors and offers the report as Excel.
    bad = io.BytesIO(workbook([["职工医保", 2024, 0, 1, 1, 1]]))
    bad.name = "bad.xlsx"
    r = client_as(fund_user).post(reverse("fundbudget:statement_import"), {"file": bad}, follow=True)
    assert "月份应为1至12" in r.content.decode()
    bad_batch = StatementImport.objects.get(status="invalid")
    x = client_as(fund_user).get(reverse("fundbudget:import_errors", args=[bad_batch.pk]))
    ws = openpyxl.load_workbook(io.BytesIO(x.content)).active
    assert ws.cell(1, 1).value == "月度收支导入错误报告：bad.xlsx"
    assert [c.value for c in ws[2]] == ["行号", "列", "值", "错误说明"]
    assert ws.cell(3, 1).value == 2 and ws.cell(3, 2).value == "月份" and ws.cell(3, 3).value == "0"


def test_preview_flags_a_year_to_date_figure_below_the_month_before(fund_user, client_as):
    services.statement_save(
        actor=fund_user,
        fund="employee",
        year=2024,
        month=3,
        income_ytd="80000000",
        expenditure_ytd="40000000",
        accumulated_balance="1",
        source="form",
    )
    upload = io.BytesIO(workbook([SEED_004_ROWS[0]]))  # April income 74,915,100 < March 80,000,000
    upload.name = "x.xlsx"
    client = client_as(fund_user)
    page = client.post(reverse("fundbudget:statement_import"), {"file": upload}, follow=True).content.decode()
    assert page.count('data-testid="ytd-decrease"') == 1


def test_preview_rows_compare_with_saved_statements(fund_user):
    """The preview marks each row new / same / changed and flags year-to-date figures that fall
    below an earlier month's, the saved statements and the file taken together."""
    services.statement_save(
        actor=fund_user,
        fund="employee",
        year=2024,
        month=4,
        source="form",
        income_ytd=74915100,
        expenditure_ytd=51730500,
        accumulated_balance=581000000,
    )
    services.statement_save(
        actor=fund_user,
        fund="resident",
        year=2024,
        month=4,
        source="form",
        income_ytd=1,
        expenditure_ytd=1,
        accumulated_balance=1,
    )
    rows = SEED_004_ROWS + [["职工医保", 2024, 5, 70000000, 60000000, 581000000]]
    batch = services.statement_import_upload(actor=fund_user, filename="p.xlsx", content=workbook(rows))
    preview = {(r["fund"], r["month"]): r for r in selectors.import_preview_rows(fund_user, batch)}
    assert preview[("employee", 4)]["change"] == "same"
    assert preview[("resident", 4)]["change"] == "changed" and preview[("resident", 4)]["old"] is not None
    assert preview[("ltc", 4)]["change"] == "new"
    assert preview[("employee", 5)]["decreases"] == ["income_ytd"]
    assert preview[("employee", 4)]["decreases"] == []
