"""The figures page as an Excel workbook (openpyxl)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from medinsure.core.spreadsheets import neutralise_workbook

# marked for makemessages, translated when the sheet is written
HEADINGS = (
    gettext_noop("收件"),
    gettext_noop("退回补正"),
    gettext_noop("在办"),
    gettext_noop("办结"),
    gettext_noop("按时办结"),
    gettext_noop("超期"),
    gettext_noop("按时办结率（%）"),
)


def _sheet(ws, title_col: str, lines, total) -> None:
    ws.append([title_col, *[_(h) for h in HEADINGS]])
    for c in ws[1]:
        c.font = Font(bold=True)
    for f in [*lines, total]:
        rate = f.on_time_rate
        ws.append(
            [
                f.key,
                f.received,
                f.returned,
                f.open,
                f.finished,
                f.finished_on_time,
                f.overdue,
                float(rate) if rate is not None else None,
            ]
        )
    ws.column_dimensions["A"].width = 36


def stats_workbook(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("按服务点")
    _sheet(ws, _("服务点"), data["points"], data["total"])
    _sheet(wb.create_sheet(_("按事项")), _("经办事项"), data["items"], data["total"])
    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
