"""The upload guard on its own (medinsure/core/uploads.py): every concern refuses hostile input with
a Chinese message and lets genuine bureau files through."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medinsure.core import uploads
from medinsure.core.spreadsheets import neutralise
from tests.hostile.files import (
    BAD_ENCODING,
    FORMULA,
    GBK_CSV,
    PNG,
    truncated_xlsx,
    xlsx_bytes,
    zip_bomb,
    zip_without_content_types,
)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\x.csv", "x.csv"),
        ("C:\\Users\\张三\\户籍.xlsx", "户籍.xlsx"),
        ("a\x00b\x1f\x7f.csv", "ab.csv"),
        ("....", "upload"),
        ("", "upload"),
        ("<script>alert(1)</script>.csv", "script>.csv"),  # the slash cuts it; templates still escape '<'
        ("名" * 300 + ".xlsx", "名" * (uploads.DISPLAY_NAME_MAX - 5) + ".xlsx"),
    ],
)
def test_display_name_keeps_no_path_control_characters_or_length(name, shown):
    got = uploads.display_name(name)
    assert got == shown
    assert "/" not in got and "\\" not in got and ".." not in got and "\x00" not in got
    assert len(got) <= uploads.DISPLAY_NAME_MAX


def test_csv_decodes_utf8_with_and_without_bom_and_gbk():
    text = "姓名,备注\n张三,住院\n"
    assert uploads.decode_csv(text.encode("utf-8")) == text
    assert uploads.decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert uploads.decode_csv(GBK_CSV) == text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (BAD_ENCODING, "编码无法识别"),
        (PNG, "不是文本 CSV"),
        (b"a,b\n1,\x00\n", "不是文本 CSV"),
        (b"a,b\n1,\x07\n", "第2行含有不可见的控制字符"),
        (b"   \n", "文件为空"),
        (xlsx_bytes([["a"]]), "不是文本 CSV"),
    ],
)
def test_csv_that_is_not_text_is_refused(raw, message):
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.decode_csv(raw)
    assert message in exc.value.message and exc.value.field == "file"


def test_zip_bomb_is_refused_from_the_directory_alone():
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024  # small on disk ...
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_zip(io.BytesIO(bomb))
    assert "压缩炸弹" in exc.value.message  # ... refused without inflating 1 GiB


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (truncated_xlsx(), "不是有效的 .xlsx 文件"),
        (zip_without_content_types(), "不是有效的 .xlsx 文件"),
        (b"PK\x03\x04" + b"\x00" * 100, "不是有效的 .xlsx 文件"),
    ],
)
def test_broken_workbooks_are_refused(content, message):
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_zip(io.BytesIO(content))
    assert message in exc.value.message


def test_a_zip_whose_header_lies_about_its_size_is_caught_by_the_crc():
    # declare a tiny uncompressed size for a large member: the directory looks harmless
    good = xlsx_bytes([["x" * 50] for _ in range(2000)])
    zf = zipfile.ZipFile(io.BytesIO(good))
    sheet = next(i for i in zf.infolist() if i.filename.endswith("sheet1.xml"))
    raw = bytearray(good)
    # patch the central directory's uncompressed size of the sheet to 10 bytes
    pos, patched = raw.find(b"PK\x01\x02"), 0
    while pos != -1:
        name_len = int.from_bytes(raw[pos + 28 : pos + 30], "little")
        if raw[pos + 46 : pos + 46 + name_len].decode() == sheet.filename:
            raw[pos + 24 : pos + 28] = (10).to_bytes(4, "little")
            patched += 1
        pos = raw.find(b"PK\x01\x02", pos + 4)
    assert patched == 1
    lying = zipfile.ZipFile(io.BytesIO(bytes(raw)))
    assert sum(i.file_size for i in lying.infolist()) < sheet.file_size  # the directory alone looks harmless
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_zip(io.BytesIO(bytes(raw)))
    assert "不是有效的 .xlsx 文件" in exc.value.message


def test_limits_come_from_settings(settings):
    settings.UPLOAD_MAX_BYTES = {"fundbudget_statement": 100}
    ok = SimpleUploadedFile("a.csv", b"a,b\n1,2\n")
    assert uploads.check_upload(ok, kind="fundbudget_statement", allowed=("csv",)).extension == "csv"
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_upload(SimpleUploadedFile("a.csv", b"a" * 101), kind="fundbudget_statement", allowed=("csv",))
    assert "超过上限 100" in exc.value.message
    settings.UPLOAD_ZIP_MAX_MEMBERS = 3
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_zip(io.BytesIO(xlsx_bytes([["a"]])))
    assert "文件数过多" in exc.value.message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.exe", b"MZ\x90\x00", "不支持的文件类型“.exe”"),
        ("noext", b"a,b", "不支持的文件类型“?”"),
        ("png.xlsx", PNG, "与扩展名 .xlsx 不符"),
        ("a.pdf", b"<html>", "与扩展名 .pdf 不符"),
        ("empty.xlsx", b"", "文件为空"),
    ],
)
def test_type_and_content_must_agree(name, content, message):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_upload(upload, kind="supervision_evidence", allowed=("xlsx", "pdf", "csv"))
    assert message in exc.value.message


def test_a_genuine_workbook_passes():
    checked = uploads.check_upload(
        SimpleUploadedFile("../户籍.xlsx", xlsx_bytes([["身份证号", "姓名"], ["1", "张三"]])),
        kind="enrollment_import",
        allowed=("xlsx",),
    )
    assert (checked.extension, checked.display_name) == ("xlsx", "户籍.xlsx")


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-12.50", "-12.50"),
        ("张三", "张三"),
        (12, 12),
        (None, None),
    ],
)
def test_formula_cells_are_neutralised(value, safe):
    assert neutralise(value) == safe


def test_a_large_csv_is_sniffed_from_a_sample_and_checked_whole_by_the_importer():
    import time

    line = "张三,500116199107070036,甲镇一村\n"
    body = (line * 200_000).encode("gb18030") + b"x,\x07\n"  # 7 MB, one bad line at the very end
    upload = SimpleUploadedFile("big.csv", body)
    started = time.monotonic()
    assert uploads.check_upload(upload, kind="enrollment_import", allowed=("csv",)).extension == "csv"
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.decode_csv(body)  # what the importer runs on the whole file
    assert "第200001行" in exc.value.message
    assert time.monotonic() - started < 5  # a regex scan, not a per-character Python loop
