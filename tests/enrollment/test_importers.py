"""The import corpus: every bad file gives a clear report and writes nothing; a good file twice changes nothing."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from enrollment import services
from enrollment.models import ImportBatch, InsuranceStatus, Payment, Resident, ResidentHistory
from medinsure.rules.id_numbers import make_id_number
from tests.enrollment.factories import ResidentFactory

pytestmark = pytest.mark.django_db

POLICE = ["身份证号", "姓名", "户籍地区划代码", "居住地区划代码", "联系电话", "住址", "变动类型", "变动日期"]
P1 = make_id_number("500116", date(1985, 3, 4), 11)
P2 = make_id_number("500116", date(1990, 7, 8), 22)
P3 = make_id_number("500116", date(2001, 1, 9), 33)


def csv_bytes(rows, encoding="utf-8"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(actor, source, content, name="f.csv", year=None):
    return services.import_upload(
        actor=actor, source=source, uploaded_file=SimpleUploadedFile(name, content), year=year
    )


def police_rows(d):
    a1, a2 = d.village_a1.code, d.village_a2.code
    return [
        POLICE,
        [P1, "张三", a1, d.grid_a1.code, "13800000001", "甲镇一村1号", "在册", ""],
        [P2, "李四", a1, "", "", "", "迁入", "2024-05-06"],
        [P3, "王五", a2, "", "13800000003", "", "", ""],
    ]


def test_good_file_preview_writes_nothing_then_accept_then_again_changes_nothing(registry, staff):
    content = csv_bytes(police_rows(registry))
    batch = upload(staff, "police", content)
    assert batch.status == ImportBatch.Status.PREVIEW, batch.message
    assert (batch.total_rows, batch.valid_rows, batch.error_rows, batch.new_rows) == (3, 3, 0, 3)
    assert Resident.objects.count() == 0
    batch = services.import_accept(actor=staff, batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.DONE
    assert Resident.objects.count() == 3
    li = Resident.objects.get(id_number=P2)
    assert (li.name, li.sex, li.birth_date, li.moved_in_on, li.hukou_division) == (
        "李四",
        "F",
        date(1990, 7, 8),
        date(2024, 5, 6),
        registry.village_a1,
    )
    assert Resident.objects.get(id_number=P1).residence_division == registry.grid_a1
    history = ResidentHistory.objects.count()
    assert history == 3
    # accepting the same batch again: nothing
    services.import_accept(actor=staff, batch_id=batch.pk)
    # the same file uploaded again: previewed as unchanged, accepted without a change
    again = upload(staff, "police", content)
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 3)
    again = services.import_accept(actor=staff, batch_id=again.pk)
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 3)
    assert ResidentHistory.objects.count() == history
    # a changed row is a change with its history and source file
    rows = police_rows(registry)
    rows[3][4] = "13900000009"
    changed = services.import_accept(actor=staff, batch_id=upload(staff, "police", csv_bytes(rows)).pk)
    assert (changed.new_rows, changed.changed_rows) == (0, 1)
    h = ResidentHistory.objects.filter(batch=changed).get()
    assert h.before["phone"] == "13800000003" and h.after["phone"] == "13900000009"


def test_gbk_csv(registry, staff):
    batch = upload(staff, "police", csv_bytes(police_rows(registry), encoding="gbk"))
    assert batch.status == ImportBatch.Status.PREVIEW and batch.valid_rows == 3
    services.import_accept(actor=staff, batch_id=batch.pk)
    assert Resident.objects.filter(name="王五").exists()


def test_wrong_headers(registry, staff):
    rows = police_rows(registry)
    rows[0] = ["证件号码", "姓名", "户籍地", "x"]
    batch = upload(staff, "police", csv_bytes(rows))
    assert batch.status == ImportBatch.Status.INVALID
    assert "身份证号" in batch.message and "户籍地区划代码" in batch.message
    assert Resident.objects.count() == 0
    with pytest.raises(ValidationError):
        services.import_accept(actor=staff, batch_id=batch.pk)


def _errors(batch):
    return [(e["line"], e["column"], e["message"]) for e in batch.errors]


@pytest.mark.parametrize(
    "mutate, line, column, words",
    [
        (lambda r: r[1].__setitem__(0, P1[:17] + ("0" if P1[17] != "0" else "1")), 2, "身份证号", "校验位"),
        (lambda r: r[2].__setitem__(0, P1), 3, "身份证号", "与第 2 行重复"),
        (lambda r: r[1].__setitem__(2, "500116999999"), 2, "户籍地区划代码", "不在本区"),
        (lambda r: r[1].__setitem__(2, "5001161"), 2, "户籍地区划代码", "12位"),
        (lambda r: r[2].__setitem__(7, "2024-02-30"), 3, "变动日期", "日期格式"),
        (lambda r: r[2].__setitem__(7, ""), 3, "变动日期", "必须填写变动日期"),
        (lambda r: r[1].__setitem__(4, "12ab"), 2, "联系电话", "电话"),
        (lambda r: r[1].__setitem__(1, ""), 2, "姓名", "必填"),
        (lambda r: r[1].__setitem__(6, "出国"), 2, "变动类型", "取值应为"),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(registry, staff, mutate, line, column, words):
    rows = police_rows(registry)
    mutate(rows)
    batch = upload(staff, "police", csv_bytes(rows))
    assert batch.status == ImportBatch.Status.PREVIEW
    errs = _errors(batch)
    assert any(ln == line and col == column and words in msg for ln, col, msg in errs), errs
    assert batch.error_rows == 1
    assert Resident.objects.count() == 0
    # accepting writes only the good rows
    services.import_accept(actor=staff, batch_id=batch.pk)
    assert Resident.objects.count() == batch.valid_rows


def test_excel_date_serials_empty_rows_and_15_digit_numbers(registry, staff):
    rows = police_rows(registry)
    rows[2][7] = 45418  # Excel serial of 2024-05-06
    rows.insert(3, [None] * 8)  # an empty row
    n15 = "500116850304113"  # 15-digit legacy number (1985-03-04, sequence 113)
    rows.append([n15, "赵六", registry.village_a2.code, "", "", "", "出生", date(1985, 3, 4)])
    batch = upload(staff, "police", xlsx_bytes(rows), name="户籍.xlsx")
    assert batch.status == ImportBatch.Status.PREVIEW, batch.message
    assert (batch.total_rows, batch.valid_rows, batch.error_rows) == (4, 4, 0), batch.errors
    services.import_accept(actor=staff, batch_id=batch.pk)
    assert Resident.objects.get(id_number=P2).moved_in_on == date(2024, 5, 6)
    zhao = Resident.objects.get(name="赵六")
    assert zhao.id_number == make_id_number("500116", date(1985, 3, 4), 113) and zhao.id_number_raw == n15


def test_not_a_spreadsheet(registry, staff):
    with pytest.raises(ValidationError) as exc:  # refused by the upload guard: no batch is stored
        upload(staff, "police", b"\x00\x01garbage", name="x.xlsx")
    assert "file" in exc.value.message_dict and ".xlsx" in exc.value.messages[0]
    assert not ImportBatch.objects.exists()
    with pytest.raises(ValidationError) as exc:
        upload(staff, "police", b"abc", name="x.pdf")
    assert "file" in exc.value.message_dict


TAX = ["身份证号", "姓名", "缴费档次", "缴费金额", "长护险金额", "缴费日期", "票据号"]


def test_tax_payments_status_and_conflicts(registry, staff):
    a = ResidentFactory(id_number=P1, name="张三", hukou_division=registry.village_a1)
    ResidentFactory(id_number=P2, name="李四", hukou_division=registry.village_a1)
    rows = [
        TAX,
        [P1, "张三", "一档", "400", "", "2024-10-08", "R001"],
        [P2, "李小四", "二档", "775", "", "2024-10-09", "R002"],  # name differs from the registry
        [P3, "王五", "一档", "400", "", "2024-10-10", "R003"],  # wrong amount? no: new person, on time
        [
            make_id_number("500116", date(1970, 1, 1), 5),
            "钱七",
            "一档",
            "500",
            "",
            "2024-10-10",
            "R004",
        ],  # wrong amount
        [
            make_id_number("500116", date(1970, 1, 2), 7),
            "孙八",
            "一档",
            "1070",
            "",
            "2025-02-01",
            "R001",
        ],  # repeated receipt
    ]
    batch = upload(staff, "tax", csv_bytes(rows), year=2025)
    errs = _errors(batch)
    assert any(ln == 3 and col == "姓名" and "不一致" in m for ln, col, m in errs), errs
    assert any(ln == 5 and col == "缴费金额" and "400" in m for ln, col, m in errs), errs
    assert any(ln == 6 and col == "票据号" and "重复" in m for ln, col, m in errs), errs
    assert batch.valid_rows == 2
    assert Payment.objects.count() == 0
    services.import_accept(actor=staff, batch_id=batch.pk)
    assert Payment.objects.count() == 2
    p = Payment.objects.get(receipt_no="R001")
    assert (p.resident, p.amount, p.kind, p.cover_start) == (a, Decimal("400.00"), "on_time", date(2025, 1, 1))
    assert InsuranceStatus.objects.get(resident=a, year=2025).status == "tier1"
    # a late payment: full amount, cover after 3 months
    late = upload(staff, "tax", csv_bytes([TAX, [P2, "李四", "一档", "1070", "", "2025-03-15", "R010"]]), year=2025)
    services.import_accept(actor=staff, batch_id=late.pk)
    p = Payment.objects.get(receipt_no="R010")
    assert (p.kind, p.cover_start) == ("late", date(2025, 6, 15))
    again = services.import_accept(
        actor=staff,
        batch_id=upload(
            staff, "tax", csv_bytes([TAX, [P2, "李四", "一档", "1070", "", "2025-03-15", "R010"]]), year=2025
        ).pk,
    )
    assert again.new_rows == 0 and Payment.objects.count() == 3


def test_hr_and_civil_and_education(registry, staff):
    ResidentFactory(id_number=P1, name="张三", hukou_division=registry.village_a1)
    hr = upload(
        staff,
        "hr",
        csv_bytes([["身份证号", "姓名", "单位名称", "参保日期"], [P1, "张三", "某公司", "2025-01-01"]]),
        year=2025,
    )
    services.import_accept(actor=staff, batch_id=hr.pk)
    assert InsuranceStatus.objects.get(resident__id_number=P1, year=2025).status == "employee"
    civil = upload(
        staff,
        "civil",
        csv_bytes(
            [
                ["身份证号", "姓名", "人员类别", "资助出资方"],
                [P1, "张三", "低保对象", "民政部门"],
                [P2, "李四", "特困", "民政部门"],
            ]
        ),
    )
    assert _errors(civil)[0][:2] == (3, "人员类别")
    services.import_accept(actor=staff, batch_id=civil.pk)
    r = Resident.objects.get(id_number=P1)
    assert (r.special_category, r.subsidy_payer) == ("dibao", "civil_affairs")
    edu = upload(
        staff,
        "education",
        csv_bytes(
            [
                ["身份证号", "姓名", "户籍地区划代码", "学校", "监护人电话"],
                [P3, "王小五", registry.village_b1.code, "某小学", "13700000000"],
            ]
        ),
    )
    services.import_accept(actor=staff, batch_id=edu.pk)
    assert Resident.objects.get(id_number=P3).hukou_division == registry.village_b1


def test_line_numbers_count_blank_lines(registry, staff):
    text = (
        "身份证号,姓名,户籍地区划代码\n\n"
        + f"{P1},张三,{registry.village_a1.code}\n\n\n"
        + f"{P2[:17]}{'1' if P2[17] != '1' else '2'},坏号,{registry.village_a1.code}\n"
    )
    batch = upload(staff, "police", text.encode())
    assert batch.total_rows == 2 and [e["line"] for e in batch.errors] == [6]


def test_15_digit_centenarian_code_goes_to_a_human(registry, staff):
    text = "身份证号,姓名,户籍地区划代码\n" + f"500116050927997,百岁老人,{registry.village_a1.code}\n"
    batch = upload(staff, "police", text.encode())
    assert batch.error_rows == 1 and "百岁老人" in batch.errors[0]["message"]
