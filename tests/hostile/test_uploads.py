"""Every upload in the portal, fed hostile files: a zip bomb (1 GiB declared, ~1 MB sent), a
truncated workbook, a PNG named .csv, bytes in no known encoding, a zip that is no workbook, a
wrong extension, a path-traversal name, an oversized file. Each answers with a Chinese message on
the page (no 500) and no table gains or loses a row."""

import dataclasses
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medinsure.accounts.models import Role
from tests.hostile.conftest import changed_tables, table_counts
from tests.hostile.files import (
    BAD_ENCODING,
    PNG,
    truncated_xlsx,
    xlsx_bytes,
    zip_bomb,
    zip_without_content_types,
)
from tests.hostile.test_forms import ATTRIBUTE, SCRIPT

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    id: str
    role: str
    url: str  # may hold {case}
    kind: str
    field: str = "file"
    data: dict = dataclasses.field(default_factory=dict)
    csv: bool = False  # accepts .csv
    xlsx: bool = True  # accepts .xlsx


ENDPOINTS = [
    Endpoint(
        "enrollment-import",
        Role.ENROLLMENT,
        "/enrollment/imports/",
        "enrollment_import",
        data={"source": "police"},
        csv=True,
    ),  # fmt: skip
    Endpoint(
        "claims-settlements",
        Role.CLAIMS,
        "/claims/imports/",
        "claims_settlements",
        data={"policy": "{policy}"},
        csv=True,
    ),  # fmt: skip
    Endpoint(
        "claims-visits",
        Role.CLAIMS,
        "/claims/calculator/file/",
        "claims_visits",
        field="visits",
        data={"policy": "guanxian-2018"},
        csv=True,
        xlsx=False,
    ),  # fmt: skip
    Endpoint(
        "supervision-institutions", Role.SUPERVISION, "/supervision/institutions/import/", "supervision_institutions"
    ),  # fmt: skip
    Endpoint(
        "supervision-evidence",
        Role.SUPERVISION,
        "/supervision/cases/{case}/evidence/",
        "supervision_evidence",
        data={"description": "证据"},
    ),  # fmt: skip
    Endpoint("fundbudget-statement", Role.FUND, "/fundbudget/statements/import/", "fundbudget_statement"),
    Endpoint("replies-list", Role.OFFICE, "/replies/import/", "replies_list", csv=True),
]


def hostile_files(ep: Endpoint):
    """(case id, file name, content, expected words of the message) for one endpoint."""
    cases = []
    if ep.xlsx:
        cases += [
            ("zip-bomb", "bomb.xlsx", zip_bomb(), "压缩炸弹"),
            ("truncated-xlsx", "cut.xlsx", truncated_xlsx(), "不是有效的 .xlsx 文件"),
            ("zip-not-workbook", "x.xlsx", zip_without_content_types(), "不是有效的 .xlsx 文件"),
            ("png-as-xlsx", "photo.xlsx", PNG, "与扩展名 .xlsx 不符"),
            ("traversal-xlsx", "../../etc/passwd.xlsx", b"root:x:0:0:root:/root:/bin/bash\n", "与扩展名 .xlsx 不符"),
        ]
    if ep.csv:
        cases += [
            ("png-as-csv", "photo.csv", PNG, "不是文本 CSV"),
            ("bad-encoding-csv", "gbk.csv", BAD_ENCODING, "编码无法识别"),
            ("nul-csv", "nul.csv", b"a,b\n1,\x00\x00\n", "不是文本 CSV"),
            ("traversal-csv", "..\\..\\x.csv", b"\x89PNG\r\n\x1a\n\x00", "不是文本 CSV"),
        ]
    cases.append(("wrong-extension", "evil.exe", b"MZ\x90\x00\x03", "不支持的文件类型“.exe”"))
    return cases


@pytest.fixture
def context(request, divisions):
    """What an endpoint's URL and form need: a claims policy, a supervision case (only when used)."""
    ep = request.param if hasattr(request, "param") else None
    ctx = {}
    if ep is None or "{policy}" in str(ep.data):
        from tests.claims.claims_db_helpers import load_policy

        ctx["policy"] = str(load_policy("guanxian-2018").pk)
    if ep is None or "{case}" in ep.url:
        from supervision import services as sv
        from tests.supervision import factories as sf

        case = sv.case_register(
            actor=sf.staff(),
            source="on_site",
            target_kind="institution",
            institution_id=sf.institution().pk,
            violations=["fictitious"],
            summary="虚构服务",
            registered_on=date(2024, 3, 1),
        )
        ctx["case"] = str(case.pk)
    return ctx


def post_file(client, ep: Endpoint, context, name: str, content: bytes):
    data = {k: v.format(**context) for k, v in ep.data.items()}
    data[ep.field] = SimpleUploadedFile(name, content)
    return client.post(ep.url.format(**context), data, follow=True)


@pytest.mark.parametrize(("ep", "context"), [(ep, ep) for ep in ENDPOINTS], ids=[ep.id for ep in ENDPOINTS], indirect=["context"])  # fmt: skip
def test_hostile_files_are_refused_with_a_message_and_nothing_is_stored(
    ep, context, make_user, client_as, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_as(make_user(ep.role))
    failures = []
    oversized = ("big.xlsx", xlsx_bytes([["x" * 2000]])) if ep.xlsx else ("big.csv", b"a,b\n" + b"1,2\n" * 600)
    cases = [*hostile_files(ep), ("oversized", *oversized, "文件大小超过上限 1.0 KB")]
    for case, name, content, words in cases:
        if case == "oversized":
            settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, ep.kind: 1024}
        before = table_counts()
        r = post_file(client, ep, context, name, content)
        html = r.content.decode()
        if r.status_code not in (200, 400):
            failures.append((case, f"status {r.status_code}"))
        elif words not in html:
            failures.append((case, f"no message {words!r}"))
        elif changed := changed_tables(before):
            failures.append((case, f"tables changed {changed}"))
        elif "../" in html or "..\\" in html:
            failures.append((case, "the hostile name is echoed as a path"))
    assert failures == []
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing written to disk either


def test_a_request_larger_than_the_site_accepts_gets_a_chinese_413(make_user, client_as, settings, divisions):
    settings.REQUEST_MAX_BYTES = 4096
    settings.REQUEST_FORM_MAX_BYTES = 4096  # a JSON body is not an upload: it has its own (smaller) limit
    client = client_as(make_user(Role.FUND))
    before = table_counts()
    r = client.post("/fundbudget/statements/import/", {"file": SimpleUploadedFile("a.xlsx", b"PK" + b"0" * 8000)})
    assert r.status_code == 413
    assert "提交的内容超过上限 4.0 KB" in r.content.decode()
    assert changed_tables(before) == {}
    api = client.post("/api/v1/fundbudget/rules/", data=b"{" + b" " * 8000 + b"}", content_type="application/json")
    assert api.status_code == 413 and "提交的内容超过上限" in api.json()["detail"]


def test_too_much_form_data_gets_a_chinese_answer_not_a_bare_400(make_user, client_as, settings, divisions):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    client = client_as(make_user(Role.OFFICE))
    r = client.post("/replies/cases/new/", {"title": "x" * 5000})
    assert r.status_code == 413 and "提交的内容超过上限 2.0 KB" in r.content.decode()
    r = client.post("/replies/cases/new/", {f"f{i}": "1" for i in range(100)})
    assert r.status_code == 400 and "提交的字段或文件数量过多" in r.content.decode()


# --- genuine workbooks with hostile cells ----------------------------------------------------------
TEMPLATES = {
    "enrollment-import": "/enrollment/imports/templates/police.xlsx",
    "claims-settlements": "/claims/imports/template.xlsx",
    "supervision-institutions": "/supervision/institutions/import/template.xlsx",
    "fundbudget-statement": "/fundbudget/statements/import/template.xlsx",
    "replies-list": "/replies/import/template.xlsx",
}
# Import batches keep the validated report for the preview by design (in the database: the core's
# ImportRecord, for all five importers); the audit log records the upload.
REPORT_TABLES = {
    "enrollment_importbatch",
    "claims_settlementimport",
    "fundbudget_statementimport",
    "supervision_institutionimport",
    "replies_proposalimport",
    "audit_auditlog",
    "jobs_job",
}
HOSTILE_ROWS = [
    lambda n: [SCRIPT] * n,
    lambda n: (
        [ATTRIBUTE, "' OR 1=1 --", "长" * 10_000, "2026-02-30", "-100.00", "abc", "1e309"][:n]
        + ["'; DROP TABLE accounts_user; --"] * max(0, n - 7)
    ),
    lambda n: ["=cmd|' /C calc'!A0", "99999999999999999999", "-1", "0000-00-00", "NaN"][:n] + [""] * max(0, n - 5),
]


def _header_of(client, url: str) -> list[str]:
    from openpyxl import load_workbook

    r = client.get(url)
    assert r.status_code == 200, url
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    return next([str(c) for c in row if c is not None] for row in rows if row and sum(c is not None for c in row) > 2)


@pytest.mark.parametrize(
    ("ep", "context"),
    [(ep, ep) for ep in ENDPOINTS if ep.id in TEMPLATES],
    ids=[ep.id for ep in ENDPOINTS if ep.id in TEMPLATES],
    indirect=["context"],
)
def test_hostile_cells_in_a_genuine_workbook_are_reported_and_shown_escaped(
    ep, context, make_user, client_as, settings, tmp_path
):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    client = client_as(make_user(ep.role))
    header = _header_of(client, TEMPLATES[ep.id])
    content = xlsx_bytes([header, *[make(len(header)) for make in HOSTILE_ROWS]])
    before = table_counts()
    r = post_file(client, ep, context, "hostile.xlsx", content)
    assert r.status_code in (200, 400), r.status_code
    html = r.content.decode()
    assert SCRIPT not in html and ATTRIBUTE not in html
    assert "&lt;script&gt;" in html  # the report quotes the bad cell: escaped, so the check can fail
    assert not set(changed_tables(before)) - REPORT_TABLES - {f"updated:{t}" for t in REPORT_TABLES}


def test_traversal_names_are_only_displayed_and_files_are_stored_under_generated_names(
    context, make_user, client_as, settings, tmp_path
):
    from claims.models import SettlementImport
    from enrollment.models import ImportBatch
    from fundbudget.models import StatementImport
    from supervision.models import Evidence

    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    by = {ep.id: ep for ep in ENDPOINTS}
    traversal = "../../../../tmp/evil"
    police = "身份证号,姓名,户籍地区划代码\n110101199003070011,张三,500116101201\n".encode()

    client = client_as(make_user(Role.ENROLLMENT))
    assert post_file(client, by["enrollment-import"], context, traversal + ".csv", police).status_code == 200
    batch = ImportBatch.objects.get()
    assert batch.file_name == "evil.csv"
    assert bytes(batch.raw) == police  # kept in the database, never under a name the user chose

    client = client_as(make_user(Role.SUPERVISION))
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert post_file(client, by["supervision-evidence"], context, "..\\..\\..\\evil.pdf", pdf).status_code == 200
    evidence = Evidence.objects.get()
    assert evidence.original_name == "evil.pdf"
    assert Path(evidence.file.path).is_relative_to(tmp_path / "private") and "evil" not in evidence.file.path

    client = client_as(make_user(Role.CLAIMS))
    settlements = "结算单号,机构编码\nS1,H50011610001\n".encode()
    assert post_file(client, by["claims-settlements"], context, traversal + ".csv", settlements).status_code == 200
    assert SettlementImport.objects.get().file_name == "evil.csv"

    client = client_as(make_user(Role.FUND))
    template = client.get(TEMPLATES["fundbudget-statement"]).content
    assert post_file(client, by["fundbudget-statement"], context, traversal + ".xlsx", template).status_code == 200
    assert StatementImport.objects.get().filename == "evil.xlsx"
    assert not Path("/tmp/evil.csv").exists() and not Path("/tmp/evil.xlsx").exists()


def test_malformed_bodies_get_a_chinese_answer_not_a_500(make_user, client_as, settings, divisions):
    client = client_as(make_user(Role.OFFICE))
    before = table_counts()
    broken = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nabc'
    r = client.post("/replies/import/", broken, content_type="multipart/form-data; boundary=xyz")
    assert r.status_code in (200, 400), r.status_code
    r = client.post("/replies/import/", b"x", content_type="multipart/form-data")  # no boundary at all
    assert r.status_code == 400 and "请求格式不正确" in r.content.decode()
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    api = client.post(
        "/api/v1/replies/proposals/", data=b'{"title": "' + b"x" * 5000 + b'"}', content_type="application/json"
    )
    assert api.status_code == 413 and api["Content-Type"].startswith("application/json")
    assert "提交的内容超过上限 2.0 KB" in api.json()["detail"]
    assert changed_tables(before) == {}


def test_the_statement_row_limit_is_a_setting(make_user, client_as, settings, divisions):
    from fundbudget.models import MonthlyStatement, StatementImport

    settings.FUNDBUDGET_STATEMENT_MAX_ROWS = 3
    client = client_as(make_user(Role.FUND))
    header = _header_of(client, TEMPLATES["fundbudget-statement"])
    rows = [["职工医保", 2024, m, 1, 1, 1] for m in range(1, 5)]
    statement = next(ep for ep in ENDPOINTS if ep.id == "fundbudget-statement")
    r = post_file(client, statement, {}, "m.xlsx", xlsx_bytes([header, *rows]))
    assert "行数超过3行" in r.content.decode()
    assert StatementImport.objects.get().status == StatementImport.Status.INVALID
    assert not MonthlyStatement.objects.exists()
