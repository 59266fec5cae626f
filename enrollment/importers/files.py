"""Files of an import: where uploads are stored, and the error report (CSV beside the upload, workbook for
the user)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from django.conf import settings

from enrollment.importers.validation import RowError
from medinsure.core.spreadsheets import neutralise


def write_errors_csv(path, errors: list[RowError]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for e in sorted(errors, key=lambda e: e.line):
            w.writerow([e.line, e.column, e.value, e.message])


def read_errors_csv(path) -> list[RowError]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [RowError(int(a), b, c, d) for a, b, c, d in csv.reader(fh)]


def errors_xlsx(errors: list[RowError], *, title: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误报告")
    ws.append([neutralise(title)])  # the title carries the uploaded file's name
    ws.append(["行号", "列", "值", "错误说明"])
    for e in errors:
        ws.append([e.line, neutralise(e.column), neutralise(e.value), neutralise(e.message)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def storage_dir() -> Path:
    d = Path(settings.PRIVATE_FILES_ROOT) / "enrollment" / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def batch_paths(batch) -> tuple[Path, Path]:
    """The checked rows and the error report of a batch, beside its upload: (clean CSV, errors CSV)."""
    base = storage_dir()
    return base / f"{batch.pk}.clean.csv", base / f"{batch.pk}.errors.csv"
