"""CSV/Excel injection: a cell we export that holds user text starting with = + - @ (or a tab/CR)
would be run as a formula by Excel (``=cmd|' /C calc'!A0``). Every workbook we generate passes
``neutralise_workbook`` before it is saved; CSV writers pass their cells through ``neutralise``.
The text is kept and shown with a leading apostrophe, Excel's own "this is text" mark. Plain
numbers written as text ("-12.50") are left alone: they are not formulas."""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise(value):
    """The value as a harmless cell: strings that a spreadsheet would treat as a formula get a
    leading apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_workbook(wb) -> None:
    """Rewrite every formula-looking cell of an openpyxl workbook as text. Our exports never write
    formulas of their own, so any cell openpyxl took for a formula came from someone's text.
    (A write-only workbook cannot be read back: pass its user cells through ``neutralise``.)"""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    safe = neutralise(value)
                    if safe is not value:
                        cell.value = safe
                        cell.data_type = "s"


def neutralise_csv(text: str, lineterminator: str = "\n") -> str:
    """The same CSV with every formula-looking cell neutralised (for a CSV that echoes user text)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    for row in csv.reader(io.StringIO(text)):
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
