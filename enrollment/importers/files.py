"""Files of an import: where uploads are stored, and its errors (a CSV beside the upload; the workbook the
user downloads is the core's ``medinsure.core.imports.error_report_xlsx``)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from django.conf import settings

from medinsure.core.imports import RowError


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


def storage_dir() -> Path:
    d = Path(settings.PRIVATE_FILES_ROOT) / "enrollment" / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def batch_paths(batch) -> tuple[Path, Path]:
    """The checked rows and the error report of a batch, beside its upload: (clean CSV, errors CSV)."""
    base = storage_dir()
    return base / f"{batch.pk}.clean.csv", base / f"{batch.pk}.errors.csv"
