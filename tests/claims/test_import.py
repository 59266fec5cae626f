"""Settlement import: whole-file validation with line/column errors, preview, bulk write with the
engine's breakdown and the policy version, re-run changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from claims.models import Settlement, SettlementImport, SettlementLine
from claims.services import settlement_import_accept, settlement_import_apply, settlement_import_create
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from tests.claims.claims_db_helpers import HEADER, csv_bytes, hospitals, import_rows, load_policy, person, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(divisions):
    return load_policy("guanxian-2018"), hospitals(divisions), divisions


def test_import_writes_settlements_with_engine_figures(setup, make_user):
    policy, h, d = setup
    staff = make_user(Role.CLAIMS)
    p1 = person(11)
    rows = [
        row("S1", h[2], p1, d.village_a1, settled="2018-02-01", cost="8000", lines=4),
        row("S2", h[2], p1, d.village_a1, settled="2018-03-01", cost="8000", lines=2),
        row("S3", h[1], person(13), d.village_b1, kind="outpatient_general", settled="2018-03-05", cost="100"),
        # self-paid items are not in scope
        row(
            "S4",
            h[1],
            person(15),
            d.village_b1,
            kind="outpatient_general",
            settled="2018-03-06",
            cost="100",
            category="自费",
        ),
    ]
    batch = settlement_import_create(actor=staff, policy=policy, file_name="jan.csv", content=csv_bytes(rows))
    assert batch.status == SettlementImport.Status.PREVIEW and batch.errors == []
    assert batch.summary["new"] == 4 and batch.summary["totals"]["fund_paid"] == "10725.00"
    assert Settlement.objects.count() == 0  # nothing written before acceptance

    SettlementImport.objects.filter(pk=batch.pk).update(status=SettlementImport.Status.ACCEPTING)
    assert settlement_import_apply(import_id=batch.pk) == {"created": 4, "skipped": 0}
    s1, s2 = Settlement.objects.get(number="S1"), Settlement.objects.get(number="S2")
    assert (s1.deductible, s1.fund_paid, s1.personal_paid) == (
        Decimal("500.00"),
        Decimal("5250.00"),
        Decimal("2750.00"),
    )
    assert (s2.deductible, s2.fund_paid) == (Decimal("250.00"), Decimal("5425.00"))
    assert s2.policy_version.number == 1 and s2.hospital_level == 2
    assert s2.sex == "M" and s2.birth_date.isoformat() == "1970-05-05"  # from the ID number (odd = male)
    assert s2.division == d.village_a1 and s2.discharged_on is not None
    assert s2.explanation["admission_no"] == 2
    assert {
        "key": "起付线 %(amount)s 元（本年度第%(n)s次住院，减半）",
        "params": {"amount": "250", "n": "2", "ratio": "50%", "base": "500"},
    } in s2.explanation["steps"]
    assert SettlementLine.objects.filter(settlement=s1).count() == 4
    s4 = Settlement.objects.get(number="S4")
    assert (s4.total_cost, s4.in_scope_cost, s4.fund_paid) == (Decimal("100.00"), Decimal("0.00"), Decimal("0.00"))
    assert AuditLog.objects.filter(object_type="claims.settlementimport").count() == 2

    # the same file again: previewed as existing, nothing new written
    again = import_rows(policy, rows)
    assert (again.created, again.skipped) == (0, 4)
    assert Settlement.objects.count() == 4


def test_a_later_file_continues_the_persons_running_totals(setup):
    policy, h, d = setup
    p1 = person(21)
    import_rows(policy, [row("A1", h[2], p1, d.village_a1, settled="2018-02-01")])
    import_rows(policy, [row("A2", h[2], p1, d.village_a1, settled="2018-04-01")])
    assert Settlement.objects.get(number="A2").deductible == Decimal("250.00")


def test_errors_name_line_and_column_and_nothing_is_written(setup, make_user):
    policy, h, d = setup
    rows = [
        row("E1", h[2], person(31), d.village_a1),
        row("E2", h[2], "500116197005050001", d.village_a1),  # bad check digit
        row("E3", h[2], person(33), d.village_a1, kind="牙科"),
        row("E4", h[2], person(35), d.village_a1, settled="2019-01-05"),
        row("E5", h[2], person(37), d.village_a1, **{"金额": "12x"}),
        row("E6", h[2], person(39), d.village_a1, **{"数量": "2", "单价": "10", "金额": "30"}),
        row("E7", h[2], person(41), d.village_a1, category="丁"),
        row("E8", h[2], person(43), d.village_a1, **{"机构编码": "H99999999999"}),
    ]
    batch = settlement_import_create(actor=None, policy=policy, file_name="bad.csv", content=csv_bytes(rows))
    assert batch.status == SettlementImport.Status.INVALID
    got = {(e["line"], e["column"]) for e in batch.errors}
    assert {
        (3, "身份证号"),
        (4, "就诊类别"),
        (5, "结算日期"),
        (6, "金额"),
        (7, "金额"),
        (8, "类别"),
        (9, "机构编码"),
    } <= got
    assert not any(e["line"] == 2 for e in batch.errors)
    with pytest.raises(ValidationError):
        settlement_import_accept(actor=None, import_id=batch.pk)
    assert Settlement.objects.count() == 0


def test_missing_column_is_reported(setup):
    policy, _h, _d = setup
    content = ",".join(h for h in HEADER if h != "金额").encode() + b"\n"
    batch = settlement_import_create(actor=None, policy=policy, file_name="x.csv", content=content)
    assert batch.errors == [{"line": 1, "column": "金额", "value": "", "message": "缺少该列"}]


def test_xlsx_file(setup, tmp_path):
    policy, h, d = setup
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in row("X1", h[3], person(51), d.village_b2, cost="10900", lines=2):
        ws.append(r)
    path = tmp_path / "s.xlsx"
    wb.save(path)
    batch = settlement_import_create(actor=None, policy=policy, file_name="s.xlsx", content=path.read_bytes())
    assert batch.errors == [] and batch.summary["totals"]["fund_paid"] == "6000.00"


def test_pages_upload_preview_accept_and_error_report(setup, make_user, client_as, django_capture_on_commit_callbacks):
    policy, h, d = setup
    client = client_as(make_user(Role.CLAIMS))
    bad = csv_bytes([row("P1", h[2], person(61), d.village_a1, kind="牙科")])
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/claims/imports/", {"policy": policy.pk, "file": SimpleUploadedFile("bad.csv", bad)})
    assert r.status_code == 302
    batch = SettlementImport.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert "就诊类别" in page and "牙科 不是有效的就诊类别" in page
    xlsx = client.get(f"/claims/imports/{batch.pk}/errors.xlsx")
    import io

    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[0] == ("bad.csv 错误报告（共 1 条）", None, None, None)
    assert rows[1] == ("行号", "列", "值", "错误说明")
    assert rows[2] == (2, "就诊类别", "牙科", "牙科 不是有效的就诊类别")
    assert AuditLog.objects.filter(action="export", object_id=str(batch.pk)).exists()

    good = csv_bytes([row("P2", h[2], person(63), d.village_a1)])
    r = client.post("/claims/imports/", {"policy": policy.pk, "file": SimpleUploadedFile("good.csv", good)})
    batch = SettlementImport.objects.get(file_name="good.csv")
    assert "确认写入" in client.get(r["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/claims/imports/{batch.pk}/accept/")
    assert len(callbacks) == 1  # the bulk write is queued after commit
    batch.refresh_from_db()
    assert batch.status == SettlementImport.Status.ACCEPTING and batch.job is not None


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_accept_is_written_by_a_real_celery_worker(divisions, make_user, celery_worker):
    import time

    policy = load_policy("guanxian-2018")
    h = hospitals(divisions)
    staff = make_user(Role.CLAIMS)
    rows = [row(f"W{i}", h[2], person(200 + i), divisions.village_a1, settled="2018-05-01") for i in range(5)]
    batch = settlement_import_create(actor=staff, policy=policy, file_name="w.csv", content=csv_bytes(rows))
    settlement_import_accept(actor=staff, import_id=batch.pk)
    deadline = time.time() + 60
    while time.time() < deadline:
        batch.refresh_from_db()
        if batch.status in (SettlementImport.Status.DONE, SettlementImport.Status.FAILED):
            break
        time.sleep(0.2)
    assert batch.status == SettlementImport.Status.DONE and batch.created == 5
    batch.job.refresh_from_db()
    assert batch.job.status == "done" and batch.job.result == {"created": 5, "skipped": 0}
    assert Settlement.objects.filter(fund_paid=Decimal("5250.00")).count() == 5


def test_error_report_masks_id_numbers_for_a_role_without_the_right(setup, make_user, client_as):
    """A leader reads claims but may not see personal numbers: the report masks the ID number the page
    quotes; claims staff see it whole."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    policy, h, d = setup
    good = person(71)
    bad_id = good[:-1] + ("1" if good[-1] == "0" else "0")  # the check digit wrong
    content = csv_bytes([row("M1", h[2], good, d.village_a1, **{"身份证号": bad_id})])
    r = client_as(make_user(Role.CLAIMS)).post(
        "/claims/imports/", {"policy": policy.pk, "file": SimpleUploadedFile("m.csv", content)}
    )
    assert r.status_code == 302
    batch = SettlementImport.objects.get()
    assert {"line": 2, "column": "身份证号", "value": bad_id, "message": "不是有效的身份证号"} in batch.errors

    def report_rows(user):
        xlsx = client_as(user).get(f"/claims/imports/{batch.pk}/errors.xlsx")
        assert xlsx.status_code == 200
        return [r for r in load_workbook(io.BytesIO(xlsx.content)).active.values if r[1] == "身份证号"]

    assert report_rows(make_user(Role.LEADER)) == [
        (2, "身份证号", bad_id[:6] + "*" * 8 + bad_id[-4:], "不是有效的身份证号")
    ]
    assert report_rows(make_user(Role.CLAIMS))[0][2] == bad_id
    assert bad_id not in client_as(make_user(Role.LEADER)).get(f"/claims/imports/{batch.pk}/").content.decode()


def test_template_has_the_headings_and_the_parsers_drop_downs(make_user, client_as):
    import io

    from claims.importers import CATEGORY, COLUMNS, EMPLOYMENT, FLAG, GROUP, KIND, SCHEME

    r = client_as(make_user(Role.CLAIMS)).get("/claims/imports/template.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0] == tuple(names[0] for names in COLUMNS.values()) and rows[1][0] == "ZY2018000001"
    letter = {names[0]: chr(ord("A") + i) for i, names in enumerate(COLUMNS.values())}
    lists = {str(dv.sqref): dv.formula1.strip('"').split(",") for dv in ws.data_validations.dataValidation}

    def choices(heading):
        return lists[f"{letter[heading]}2:{letter[heading]}10000"]

    assert choices("险种") == ["城乡居民", "城乡居民医保", "居民", "职工", "职工医保"]
    assert "疾病住院" in choices("就诊类别") and "门诊慢病" in choices("就诊类别")
    assert choices("人群") == ["居民", "普通居民", "学生", "学生儿童"]
    assert choices("在职状态") == ["在职", "退休"]
    assert choices("第三方责任") == choices("建档立卡") == ["否", "是"]
    assert choices("缴费档次") == ["1", "2"]
    assert choices("类别")[:2] == ["甲", "甲类"]
    # every label offered is one the parser accepts
    for heading, table in (
        ("险种", SCHEME),
        ("就诊类别", KIND),
        ("人群", GROUP),
        ("在职状态", EMPLOYMENT),
        ("第三方责任", FLAG),
        ("类别", CATEGORY),
    ):
        assert set(choices(heading)) <= set(table), heading
    assert len(lists) == 8  # no drop-down on free columns
