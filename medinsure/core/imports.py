"""The one import vocabulary every importer uses: a row error, its report, the template a user fills in.

- ``RowError(line, column, value, message)``: one problem of one cell (``line`` as the user sees it in
  the file, the header being line 1; ``column`` the column's heading as in the template; ``value`` what
  the cell held; ``message`` why it is refused, in Chinese). A whole-file problem uses line 0.
- ``error_report_xlsx(errors, viewer=…, title=…)``: the downloadable report, one layout for every
  import (行号 / 列 / 值 / 错误说明). A value that is an ID number or a phone number is masked unless the
  viewer's role may see personal numbers, so a report is as safe to hand around as the page showing it.
- ``template_xlsx(columns, sheet=…, example=…)``: the blank file to fill in: the headings, an example
  row, and a drop-down list on every column that takes one of a set of values.

- The one lifecycle: every importer's model inherits ``medinsure.core.models.ImportRecord`` (status,
  ``raw`` upload, ``checked`` rows, ``errors``, ``created_at``, ``purged_at``) and moves its status only
  after ``transition(current, target)`` (the table is ``medinsure.rules.imports``: checking → preview →
  accepting → done, and invalid / failed). The data an import hands from its check to its write lives in
  those columns — never in a file on one host's disk — so any worker on any host can continue it.
- ``pack``/``unpack`` compress and expand a blob; ``deflate_writer()`` is a text sink (a ``csv.writer``
  writes to it) whose ``.value()`` is the packed bytes; ``inflate_text(blob)`` streams a packed blob back
  as text (COPY reads it line by line, never the whole text in memory).
- ``imports_retention()``: the beat task's work: raw uploads and error data older than
  ``MEDINSURE_RETENTION_IMPORT_DAYS`` are cleared on every importer's model (found by class, so the core
  imports no app); the row stays.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from medinsure.core.spreadsheets import neutralise
from medinsure.rules.imports import RUNNING, RowError, Verdict, check_import_transition  # noqa: F401 (re-exported)

MAX_REPORT_ROWS = 100_000  # a report past this says how many more there were

_ID_NUMBER = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")
_PHONE = re.compile(r"^1\d{10}$")


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


# --- the lifecycle ------------------------------------------------------------------------------------


def transition(current: str, target: str, *, label: str = "", field: str = "status") -> Verdict:
    """Ask the one table before moving an import: GO or SKIP come back, REFUSE is raised as a
    ``ValidationError`` on ``field`` (``label`` is the current status as the user reads it)."""
    verdict = check_import_transition(current, target)
    if verdict == Verdict.REFUSE:
        raise ValidationError({field: _("该导入批次当前状态为“%(s)s”，不能进行此操作") % {"s": label or current}})
    return verdict


# --- the data kept between the check and the write ------------------------------------------------------


def pack(data: bytes | None) -> bytes | None:
    return None if data is None else zlib.compress(data, 6)


def unpack(blob) -> bytes:
    return zlib.decompress(bytes(blob)) if blob else b""


class _DeflateWriter:
    """A text sink that compresses as it goes (``csv.writer(sink)``; ``sink.value()`` → packed bytes)."""

    def __init__(self):
        self._z = zlib.compressobj(6)
        self._out = io.BytesIO()

    def write(self, text: str) -> int:
        self._out.write(self._z.compress(text.encode("utf-8")))
        return len(text)

    def value(self) -> bytes:
        self._out.write(self._z.flush())
        return self._out.getvalue()


def deflate_writer() -> _DeflateWriter:
    return _DeflateWriter()


class _Inflate(io.RawIOBase):
    def __init__(self, blob):
        self._src = memoryview(bytes(blob) if blob else b"")
        self._pos = 0
        self._z = zlib.decompressobj()
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buf:
            if self._pos >= len(self._src):
                self._buf = self._z.flush()
                if not self._buf:
                    return 0
                break
            chunk = self._src[self._pos : self._pos + 65536]
            self._pos += len(chunk)
            self._buf = self._z.decompress(chunk)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def inflate_text(blob) -> io.TextIOWrapper:
    """A packed blob as a text stream, expanded as it is read."""
    return io.TextIOWrapper(io.BufferedReader(_Inflate(blob), 1 << 16), encoding="utf-8", newline="")


# --- retention ------------------------------------------------------------------------------------------


def import_models() -> list:
    """Every importer's model (the concrete subclasses of ImportRecord), found through the app registry."""
    from django.apps import apps

    from medinsure.core.models import ImportRecord

    return [m for m in apps.get_models() if issubclass(m, ImportRecord)]


def imports_retention(*, now=None) -> dict:
    """Clear the raw upload, the checked rows and the error data of imports older than
    ``MEDINSURE_RETENTION_IMPORT_DAYS`` (work in progress is left alone); the rows stay. Safe to run twice."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from medinsure.audit.models import AuditLog
    from medinsure.audit.services import audit_log

    now = now or timezone.now()
    days = settings.MEDINSURE_RETENTION_IMPORT_DAYS
    cutoff = now - timedelta(days=days)
    cleared: dict[str, int] = {}
    for model in import_models():
        with transaction.atomic(durable=True):
            n = (
                model.objects.filter(created_at__lt=cutoff, purged_at__isnull=True)
                .exclude(status__in=[s.value for s in RUNNING])
                .update(raw=None, checked=None, errors=[], purged_at=now)
            )
            if n:
                audit_log(
                    actor=None,
                    verb=AuditLog.Action.CHANGE,
                    obj=model,
                    key="retention",
                    summary=f"import data older than {days} days deleted: {n} imports",
                    username="retention",
                )
        cleared[model._meta.label_lower] = n
    return cleared
