"""The assigning office's list (交办清单, xlsx or csv) → validated rows; errors as a report.

Nothing is written here: ``read_list`` validates the whole file and the page shows the result; the
person accepts and ``services.proposals_import`` writes the clean rows in one bulk write.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medinsure.core import uploads
from medinsure.core.spreadsheets import neutralise
from replies.rules.intake import IntakeError, IntakeRow, missing_columns, parse_rows

ERROR_TEXT = {
    "missing": gettext_lazy("必填"),
    "invalid": gettext_lazy("格式不正确"),
    "duplicate": gettext_lazy("文件内编号重复"),
    "too_long": gettext_lazy("过长"),
}


@dataclass(frozen=True)
class ListResult:
    rows: tuple[IntakeRow, ...]
    errors: tuple[IntakeError, ...]
    file_error: str = ""


def read_list(name: str, content: bytes) -> ListResult:
    """Check the file with the upload guard (type, size, zip bomb, encoding), then read it."""
    upload = io.BytesIO(content)
    upload.name = name
    try:
        checked = uploads.check_upload(upload, kind="replies_list", allowed=("xlsx", "csv"))
        if checked.extension == "xlsx":
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="calamine", keep_default_na=False)
        else:
            frame = pd.read_csv(io.StringIO(uploads.decode_csv(content)), dtype=str, keep_default_na=False)
    except uploads.UploadRejected as exc:
        return ListResult((), (), exc.message)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is answered, not raised
        return ListResult((), (), _("文件：文件无法读取：%(error)s") % {"error": str(exc)[:200]})
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = missing_columns(list(frame.columns))
    if missing:
        return ListResult((), (), _("缺少列：%(columns)s") % {"columns": "、".join(missing)})
    rows, errors = parse_rows(frame.to_dict("records"))
    return ListResult(rows, errors)


def error_report_xlsx(errors: list[dict]) -> bytes:
    """The row-by-row error report as an Excel file."""
    frame = pd.DataFrame(
        [
            {
                _("行号"): e["line"],
                _("列"): e["column"],
                _("问题"): str(ERROR_TEXT.get(e["code"], e["code"])),
                _("内容"): neutralise(e.get("value", "")),
            }
            for e in errors
        ]
    )
    out = io.BytesIO()
    frame.to_excel(out, index=False, engine="openpyxl")
    return out.getvalue()


def template_xlsx() -> bytes:
    frame = pd.DataFrame(
        [
            {
                "类别": "人大代表建议",
                "会议届次": "江津区第十八届人民代表大会第五次会议",
                "编号": "166",
                "标题": "关于全社会共同参与实现全民医保的建议",
                "提出人": "梁筱钟、况文凤",
                "交办日期": "2025-03-10",
                "急件": "否",
                "涉及面广难度大": "否",
            }
        ]
    )
    out = io.BytesIO()
    frame.to_excel(out, index=False, engine="openpyxl")
    return out.getvalue()
