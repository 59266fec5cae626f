"""The assigning office's list: a real Excel file validated as a whole, an error report in Excel,
nothing written until accepted, and the same file accepted twice changes nothing."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from medinsure.audit.models import AuditLog
from replies.models import Proposal

from .factories import office_user

pytestmark = [pytest.mark.django_db, pytest.mark.service]

HEAD = ["类别", "会议届次", "编号", "标题", "提出人", "交办日期", "急件"]


def xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "jiaoban.xlsx"
    return out


ROWS = [
    ["人大代表建议", "第五次会议", "166", "关于全社会共同参与实现全民医保的建议", "梁筱钟、况文凤", "2025-03-10", "否"],
    [
        "政协委员提案",
        "十一届二次会议",
        "2023200000038",
        "关于提高职工医疗保险统筹层次的建议",
        "范纯文",
        "2025-01-31",
        "是",
    ],
    ["人大代表建议", "第五次会议", "17A", "坏编号", "某代表", "2025-03-10", "否"],
    ["人大代表建议", "第五次会议", "166", "重复", "某代表", "2025-03-10", "否"],
]


def test_validate_report_accept_and_accept_again(client_as):
    c = client_as(office_user())
    r = c.post("/replies/import/", {"file": xlsx(ROWS)})
    html = r.content.decode()
    assert "可导入 2 行；问题 2 处" in html and Proposal.objects.count() == 0  # nothing written yet
    payload = r.context["payload"]
    report = c.post("/replies/import/", {"step": "report", "payload": payload})
    ws = load_workbook(io.BytesIO(report.content)).active
    assert ws.cell(1, 1).value == "交办清单导入错误报告"
    assert [tuple(row) for row in ws.iter_rows(min_row=2, values_only=True)] == [
        ("行号", "列", "值", "错误说明"),
        (4, "编号", "17A", "格式不正确"),
        (5, "编号", "166（第2行）", "文件内编号重复"),
    ]
    c.post("/replies/import/", {"step": "accept", "payload": payload})
    assert {(p.number, p.due_on) for p in Proposal.objects.all()} == {
        ("166", date(2025, 6, 10)),
        ("2023200000038", date(2025, 2, 28)),
    }
    r = c.post("/replies/import/", {"file": xlsx(ROWS)})
    c.post("/replies/import/", {"step": "accept", "payload": r.context["payload"]})
    assert Proposal.objects.count() == 2
    assert AuditLog.objects.filter(summary__startswith="导入交办清单：新增 0 件，已存在 2 件").exists()


def test_missing_columns_and_bad_payload(client_as):
    c = client_as(office_user())
    wb = Workbook()
    wb.active.append(["类别", "编号"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "x.xlsx"
    html = c.post("/replies/import/", {"file": out}).content.decode()
    assert "缺少列：会议届次、标题、提出人、交办日期" in html
    r = c.post("/replies/import/", {"step": "accept", "payload": "forged"})
    assert r.status_code == 302 and Proposal.objects.count() == 0


def test_accept_counts_only_rows_really_written():
    """A list repeating a number (a payload accepted without the validation step) or naming one
    registered meanwhile: the count and the audit row say what was written, not what was sent."""
    from replies import services
    from replies.models import Kind
    from replies.rules.intake import IntakeRow

    def row(line, number):
        return IntakeRow(line, Kind.NPC, "第五次会议", number, "标题", ("某代表",), date(2025, 3, 10), False, False)

    actor = office_user()
    assert services.proposals_import(actor=actor, rows=[row(2, "1")]) == {"created": 1, "existing": 0}
    result = services.proposals_import(actor=actor, rows=[row(2, "1"), row(3, "2"), row(4, "2")])
    assert result == {"created": 1, "existing": 2}
    assert sorted(Proposal.objects.values_list("number", flat=True)) == ["1", "2"]
    assert AuditLog.objects.filter(summary="导入交办清单：新增 1 件，已存在 2 件").exists()


def test_template_has_drop_downs_of_what_the_rules_accept(client_as):
    from replies.rules.intake import COLUMNS, parse_row

    r = client_as(office_user()).get("/replies/import/template.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws.title == "交办清单" and [c.value for c in ws[1]] == list(COLUMNS)
    rules = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert rules == {
        "A2:A10000": '"人大代表建议,政协委员提案"',
        "G2:G10000": '"是,否"',
        "H2:H10000": '"是,否"',
    }
    example = dict(zip(COLUMNS, [c.value for c in ws[2]], strict=True))
    assert parse_row(example, 2).kind == "npc"  # the example row is a clean row
    # every drop-down choice is a value the rules take (they cannot drift apart unnoticed)
    for kind, flag in (("人大代表建议", "是"), ("政协委员提案", "否")):
        row = parse_row({**example, "类别": kind, "急件": flag, "涉及面广难度大": flag}, 2)
        assert not isinstance(row, tuple), row


def test_error_values_pass_through_the_viewers_masking(client_as):
    c = client_as(office_user())  # the office may not see personal numbers
    r = c.post("/replies/import/", {"file": xlsx([["13812345678", *ROWS[0][1:]]])})
    html = r.content.decode()
    assert "138****5678" in html and "13812345678" not in html
    report = c.post("/replies/import/", {"step": "report", "payload": r.context["payload"]})
    ws = load_workbook(io.BytesIO(report.content)).active
    assert list(ws.iter_rows(min_row=3, values_only=True)) == [(2, "类别", "138****5678", "格式不正确")]
