"""The one import vocabulary every importer uses: a row error, its report, the template a user fills in.

- ``RowError(line, column, value, message)``: one problem of one cell (``line`` as the user sees it in
  the file, the header being line 1; ``column`` the column's heading as in the template; ``value`` what
  the cell held; ``message`` why it is refused, in Chinese). A whole-file problem uses line 0.
- ``error_report_xlsx(errors, viewer=…, title=…)``: the downloadable report, one layout for every
  import (行号 / 列 / 值 / 错误说明). A value that is an ID number or a phone number is masked unless the
  viewer's role may see personal numbers, so a report is as safe to hand around as the page showing it.
- ``template_xlsx(columns, sheet=…, example=…)``: the blank file to fill in: the headings, an example
  row, and a drop-down list on every column that takes one of a set of values.

The lifecycle (upload → checked → preview → accept → done / invalid / failed) is each importer's model;
the report and the template are the same everywhere.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from medinsure.core.spreadsheets import neutralise

MAX_REPORT_ROWS = 100_000  # a report past this says how many more there were

_ID_NUMBER = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_PHONE = re.compile(r"^1\d{10}$")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str = ""
    message: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "value": self.value, "message": str(self.message)}


def shown_value(viewer, value) -> str:
    """The cell's value as the viewer may see it: ID and phone numbers masked for roles without the right."""
    from medinsure.masking import mask_id_number, mask_phone, may_see_personal_numbers

    text = "" if value is None else str(value)
    stripped = text.strip()
    if viewer is not None and may_see_personal_numbers(viewer):
        return text
    if _ID_NUMBER.match(stripped):
        return mask_id_number(stripped)
    if _PHONE.match(stripped):
        return mask_phone(stripped)
    return text


def error_report_xlsx(errors: Iterable[RowError], *, viewer, title: str = "") -> bytes:
    """The row-by-row error report as an Excel workbook (one layout for every import)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("错误报告"))
    if title:
        ws.append([neutralise(title)])
    ws.append([_("行号"), _("列"), _("值"), _("错误说明")])
    n = 0
    for e in errors:
        n += 1
        if n > MAX_REPORT_ROWS:
            continue
        ws.append(
            [e.line, neutralise(str(e.column)), neutralise(shown_value(viewer, e.value)), neutralise(str(e.message))]
        )
    if n > MAX_REPORT_ROWS:
        ws.append(["", "", "", _("另有 %(n)s 条错误未列出") % {"n": n - MAX_REPORT_ROWS}])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class TemplateColumn:
    heading: str
    choices: Sequence[str] = field(default_factory=tuple)  # a drop-down list when given
    width: int = 16
    text: bool = False  # cells formatted as text: an 18-digit ID number or a leading 0 stays as typed
    required: bool = False
    note: str = ""  # what to write, on the notes sheet


def template_xlsx(
    columns: Sequence[TemplateColumn], *, sheet: str, example: Sequence | None = None, notes: bool = False
) -> bytes:
    """The template a user fills in: headings (bold), an example row, drop-down lists for choice columns,
    text format where a column asks for it, and (``notes=True``) a sheet 填写说明 with each column's note."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([c.heading for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    if example:
        ws.append([neutralise(v) if isinstance(v, str) else v for v in example])
    lists = None
    for i, c in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = c.width
        if c.text:
            for r in range(2, 1001):
                ws.cell(r, i).number_format = "@"
        if not c.choices:
            continue
        joined = ",".join(c.choices)
        if len(joined) <= 250:  # Excel's limit for a list written into the rule itself
            source = f'"{joined}"'
        else:  # a long list goes on a hidden sheet
            if lists is None:
                lists = wb.create_sheet("_lists")
                lists.sheet_state = "hidden"
            for r, value in enumerate(c.choices, start=1):
                lists.cell(row=r, column=i, value=value)
            source = f"_lists!${letter}$1:${letter}${len(c.choices)}"
        dv = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
        dv.error = _("请从下拉列表中选择")
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}10000")
    ws.freeze_panes = "A2"
    if notes:
        sheet_notes = wb.create_sheet(_("填写说明"))
        sheet_notes.append([_("列名"), _("是否必填"), _("说明")])
        for c in columns:
            note = c.note
            if c.choices:
                note = (note + " " if note else "") + _("可选值（可从下拉列表选择）：") + "、".join(c.choices)
            sheet_notes.append([c.heading, _("是") if c.required else _("否"), neutralise(note)])
        sheet_notes.column_dimensions["C"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
