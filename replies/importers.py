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

from medinsure.core import imports, uploads
from medinsure.core.imports import RowError, TemplateColumn
from replies.rules.intake import COLUMNS, IntakeError, IntakeRow, missing_columns, parse_rows

ERROR_TEXT = {
    "missing": gettext_lazy("必填"),
    "invalid": gettext_lazy("格式不正确"),
    "duplicate": gettext_lazy("文件内编号重复"),
    "too_long": gettext_lazy("过长"),
}


@dataclass(frozen=True)
class ListResult:
    rows: tuple[IntakeRow, ...]
    errors: tuple[RowError, ...]
    file_error: str = ""


def row_error(e: IntakeError) -> RowError:
    """The rules' error (a code) as the core's RowError, its message the text ERROR_TEXT gives the code."""
    return RowError(e.line, e.column, e.value, str(ERROR_TEXT.get(e.code, e.code)))


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
    return ListResult(rows, tuple(row_error(e) for e in errors))


# The drop-down lists offer labels the rules accept (rules.intake KINDS, YES, NO; the template test parses
# every one of them): the kinds by their full names, 是/否 for the flags.
KIND_CHOICES = ("人大代表建议", "政协委员提案")
YES_NO = ("是", "否")
CHOICES = {"类别": KIND_CHOICES, "急件": YES_NO, "涉及面广难度大": YES_NO}
EXAMPLE = {
    "类别": "人大代表建议",
    "会议届次": "江津区第十八届人民代表大会第五次会议",
    "编号": "166",
    "标题": "关于全社会共同参与实现全民医保的建议",
    "提出人": "梁筱钟、况文凤",
    "交办日期": "2025-03-10",
    "急件": "否",
    "涉及面广难度大": "否",
}


def template_xlsx() -> bytes:
    """The blank list: the columns the rules read, with drop-down lists for 类别 and the 是/否 flags."""
    return imports.template_xlsx(
        [TemplateColumn(h, choices=CHOICES.get(h, ()), width=40 if h in ("会议届次", "标题") else 16) for h in COLUMNS],
        sheet=_("交办清单"),
        example=[EXAMPLE[h] for h in COLUMNS],
    )
