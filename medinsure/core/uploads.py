"""The one guard every uploaded file passes before anything reads it.

Pure checks, one function per concern, each raising ``UploadRejected`` with a Chinese message for the
user:

- ``check_size``          — the size limit of the kind of upload (``settings.UPLOAD_MAX_BYTES``);
- ``check_extension``     — the extension is one the upload accepts;
- ``check_zip``           — an .xlsx/.docx is a real zip with ``[Content_Types].xml``; no zip bomb
                            (member count, declared uncompressed total, compression ratio, and every
                            member inflated once under a hard cap so a lying header or a truncated
                            file is caught before openpyxl/calamine/pandas touch it);
- ``check_magic``         — the leading bytes match the extension (a PDF is a PDF, a PNG a PNG);
- ``decode_csv``          — UTF-8 (with or without BOM), then GB18030 (Excel's GBK); binary content
                            and unknown encodings are refused;
- ``display_name``        — the original file name cut to its last component, without control
                            characters, ``..`` or separators, length-capped: for display only, stored
                            names are always generated;
- ``check_upload``        — all of the above for one Django ``UploadedFile``;
- ``UploadField``         — a form field that runs ``check_upload`` so every form answers the same way.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DISPLAY_NAME_MAX = 120
ZIP_KINDS = frozenset({"xlsx", "xlsm", "docx"})
# extension → leading bytes a genuine file of that type starts with
MAGIC = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "xlsx": (b"PK\x03\x04",),
    "xlsm": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),  # OLE2 compound file
}
# leading bytes of binary formats that are never a text CSV
BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF-",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xd0\xcf\x11\xe0",  # old .xls / .doc (OLE2)
    b"\x1f\x8b",  # gzip
    b"BM",
    b"Rar!",
    b"7z\xbc\xaf",
    b"MZ",
    b"\x7fELF",
)
# C0 controls except tab, LF and CR, and DEL: never in a genuine CSV (NUL is refused earlier)
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CSV_SAMPLE_BYTES = 1024 * 1024


class UploadRejected(ValueError):
    """A file that must not be read further. ``message`` is for the user (Chinese)."""

    def __init__(self, message: str, field: str = "file"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class CheckedUpload:
    extension: str  # lower case, without the dot
    display_name: str  # safe to show (still escaped by templates), never a path on disk
    size: int


# --- settings ------------------------------------------------------------------------------------


def max_bytes(kind: str) -> int:
    limits = getattr(settings, "UPLOAD_MAX_BYTES", {})
    return int(limits.get(kind, DEFAULT_MAX_BYTES))


def _zip_limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "UPLOAD_ZIP_MAX_MEMBERS", 2000)),
        int(getattr(settings, "UPLOAD_ZIP_MAX_UNCOMPRESSED", 500 * 1024 * 1024)),
        int(getattr(settings, "UPLOAD_ZIP_MAX_RATIO", 200)),
    )


# --- one function per concern --------------------------------------------------------------------


def display_name(name: str | None) -> str:
    """The user's file name made harmless for display: last path component only (either slash),
    no control characters, no leading dots, length-capped, never empty."""
    text = str(name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.replace("..", ".").strip().lstrip(".").strip()
    if len(text) > DISPLAY_NAME_MAX:
        stem, dot, ext = text.rpartition(".")
        ext = ext[:10] if dot else ""
        text = (stem if dot else text)[: DISPLAY_NAME_MAX - len(ext) - 1] + (f".{ext}" if ext else "")
    return text or "upload"


def extension_of(name: str | None) -> str:
    safe = display_name(name)
    return safe.rsplit(".", 1)[-1].lower() if "." in safe else ""


def check_size(size: int, kind: str) -> None:
    limit = max_bytes(kind)
    if size <= 0:
        raise UploadRejected(_("文件：文件为空"))
    if size > limit:
        raise UploadRejected(
            _("文件：文件大小超过上限 %(limit)s") % {"limit": filesizeformat(limit).replace("\xa0", " ")}
        )


def check_extension(name: str | None, allowed: tuple[str, ...]) -> str:
    ext = extension_of(name)
    if ext not in allowed:
        raise UploadRejected(
            _("文件：不支持的文件类型“%(ext)s”，只接受 %(allowed)s 文件")
            % {"ext": f".{ext}" if ext else "?", "allowed": "、".join(f".{a}" for a in allowed)}
        )
    return ext


def check_magic(head: bytes, ext: str) -> None:
    magics = MAGIC.get(ext)
    if magics and not any(head.startswith(m) for m in magics):
        raise UploadRejected(_("文件：文件内容与扩展名 .%(ext)s 不符（文件已损坏或不是该类型）") % {"ext": ext})


def check_zip(fileobj, ext: str = "xlsx") -> None:
    """An Office file is a zip with [Content_Types].xml. Refuse bombs before any reader opens it:
    too many members, a declared uncompressed total or a compression ratio past the limits; then
    inflate each member once (bounded by the declared sizes) so a header that lies, a bad CRC or a
    truncated file is refused here too."""
    max_members, max_total, max_ratio = _zip_limits()
    broken = _("文件：不是有效的 .%(ext)s 文件（文件已损坏、被截断或不是 Excel/Word 文件）") % {"ext": ext}
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as zf:
            infos = zf.infolist()
            if len(infos) > max_members:
                raise UploadRejected(_("文件：压缩包内文件数过多（%(n)s 个）") % {"n": len(infos)})
            if "[Content_Types].xml" not in {i.filename for i in infos}:
                raise UploadRejected(broken)
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos)
            if total > max_total or total > max_ratio * max(packed, 1) + 1024 * 1024:
                raise UploadRejected(_("文件：解压后体积异常（疑似压缩炸弹），已拒绝"))
            for info in infos:
                if info.flag_bits & 0x1:
                    raise UploadRejected(_("文件：文件已加密，请去掉密码后再上传"))
                # ZipExtFile stops at the declared size and checks the CRC: bounded work, lies caught
                with zf.open(info) as member:
                    while member.read(1024 * 1024):
                        pass
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise UploadRejected(broken) from exc
    except Exception as exc:  # zlib.error and friends: any unreadable zip is the same answer
        raise UploadRejected(broken) from exc
    finally:
        fileobj.seek(0)


def decode_csv(raw: bytes) -> str:
    """Text of a CSV: UTF-8 with or without BOM, else GB18030 (a superset of GBK). A binary file
    (an image renamed .csv) or bytes valid in neither encoding are refused with a clear message."""
    if not raw.strip():
        raise UploadRejected(_("文件：文件为空"))
    if raw.startswith(BINARY_MAGIC) or b"\x00" in raw[:65536]:
        raise UploadRejected(_("文件：内容不是文本 CSV（可能是图片、压缩包或 Excel 文件改了扩展名）"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise UploadRejected(_("文件：文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV"))
    bad = CONTROL_CHARACTER.search(text)
    if bad:
        number = text.count("\n", 0, bad.start()) + 1
        raise UploadRejected(
            _("文件：第%(line)s行含有不可见的控制字符，文件可能已损坏或编码无法识别") % {"line": number}
        )
    return text


def csv_sample(raw: bytes, size: int = CSV_SAMPLE_BYTES) -> bytes:
    """The leading whole lines of a CSV (about ``size`` bytes): enough to tell text from binary and the
    encoding, without decoding a 200 MB file in the request (the importer decodes it all)."""
    if len(raw) <= size:
        return raw
    cut = raw.rfind(b"\n", 0, size)
    return raw[: cut + 1] if cut > 0 else raw[:size]


def check_upload(upload, *, kind: str, allowed: tuple[str, ...]) -> CheckedUpload:
    """Every check for one uploaded file (Django UploadedFile or any file object with name/size)."""
    name = getattr(upload, "name", "") or ""
    ext = check_extension(name, allowed)
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    check_size(size, kind)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    check_magic(head, ext)
    if ext in ZIP_KINDS:
        check_zip(upload, ext)
    elif ext in ("csv", "txt"):
        decode_csv(csv_sample(upload.read(CSV_SAMPLE_BYTES + 1)))
        upload.seek(0)
    return CheckedUpload(extension=ext, display_name=display_name(name), size=size)


# --- forms ---------------------------------------------------------------------------------------


class UploadField(forms.FileField):
    """A file field that runs the guard: the form is re-rendered with the message on this field."""

    default_error_messages = {
        "required": gettext_lazy("请选择要上传的文件"),
        "empty": gettext_lazy("文件为空"),
        "invalid": gettext_lazy("没有收到文件，请检查表单的编码类型"),
        "missing": gettext_lazy("没有收到文件"),
    }

    def __init__(self, *, kind: str, allowed: tuple[str, ...], **kwargs):
        self.kind = kind
        self.allowed = tuple(allowed)
        kwargs.setdefault("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ",".join(f".{a}" for a in self.allowed))

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                upload.checked = check_upload(upload, kind=self.kind, allowed=self.allowed)
            except UploadRejected as exc:
                # the field's label is shown beside the message; drop our generic "文件：" prefix
                raise forms.ValidationError(exc.message.removeprefix(_("文件：")), code="upload") from exc
        return upload
