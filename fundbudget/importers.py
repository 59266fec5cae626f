"""The finance department's monthly statement workbook → validated rows, or a line-by-line report.

One sheet, a header row, one line per fund and month:
基金 | 年度 | 月份 | 本年累计收入(元) | 本年累计支出(元) | 累计结余(元)
Nothing is written here: services.statement_import_* stores and applies the result.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

from medinsure.core.imports import RowError, TemplateColumn, template_xlsx

from .models import Fund

COLUMNS = {
    "fund": "基金",
    "year": "年度",
    "month": "月份",
    "income_ytd": "本年累计收入(元)",
    "expenditure_ytd": "本年累计支出(元)",
    "accumulated_balance": "累计结余(元)",
}
AMOUNT_FIELDS = ("income_ytd", "expenditure_ytd", "accumulated_balance")

# Names the finance sheets use for each fund; the template's drop-down list offers the model's labels.
FUND_LABELS = tuple(str(label) for label in Fund.labels)
FUND_NAMES = {
    **{str(label): value for value, label in Fund.choices},
    **{value: value for value in Fund.values},
    "职工医保": Fund.EMPLOYEE,
    "职工基本医疗保险": Fund.EMPLOYEE,
    "职工基本医疗保险基金": Fund.EMPLOYEE,
    "城乡医保": Fund.RESIDENT,
    "居民医保": Fund.RESIDENT,
    "城乡居民医保": Fund.RESIDENT,
    "城乡居民基本医疗保险": Fund.RESIDENT,
    "长护险": Fund.LTC,
    "长期护理保险": Fund.LTC,
}


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)  # JSON-ready: amounts as strings
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def stored_errors(errors: list[dict]) -> list[RowError]:
    """A batch's stored errors as RowErrors; a batch stored before issue 14 said "field" for the column."""
    return [
        RowError(**e) if "column" in e else RowError(e.get("line", 0), e.get("field", ""), "", e.get("message", ""))
        for e in errors
    ]


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def _shown(value) -> str:
    return "" if _blank(value) else str(value).strip()


def _to_decimal(value) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    amount = Decimal(text)
    if not amount.is_finite():
        raise InvalidOperation
    return amount


def _to_int(value) -> int:
    number = _to_decimal(value)
    if number != number.to_integral_value():
        raise InvalidOperation
    return int(number)


def parse_statement_rows(records: list[dict], *, first_line: int = 2) -> ParseResult:
    """Validate already-read records (keys: the field names). `first_line` = Excel line of records[0]."""
    result = ParseResult()
    seen: dict[tuple, int] = {}
    for offset, record in enumerate(records):
        line = first_line + offset
        if all(_blank(record.get(k)) for k in COLUMNS):
            continue
        errors = []

        def err(fld, message, _line=line, _errors=errors, _record=record):
            _errors.append(RowError(_line, COLUMNS[fld], _shown(_record.get(fld)), message))

        raw_fund = record.get("fund")
        fund = FUND_NAMES.get(str(raw_fund).strip()) if not _blank(raw_fund) else None
        if fund is None:
            err("fund", _("基金无法识别，应为职工医保、城乡居民医保或长护险"))
        year = month = None
        try:
            year = _to_int(record.get("year"))
            if not 2000 <= year <= 2100:
                err("year", _("年度应在2000至2100之间"))
                year = None
        except (InvalidOperation, ValueError, TypeError):
            err("year", _("年度应为四位整数"))
        try:
            month = _to_int(record.get("month"))
            if not 1 <= month <= 12:
                err("month", _("月份应为1至12"))
                month = None
        except (InvalidOperation, ValueError, TypeError):
            err("month", _("月份应为1至12的整数"))
        amounts = {}
        for fld in AMOUNT_FIELDS:
            value = record.get(fld)
            if _blank(value):
                err(fld, _("不能为空"))
                continue
            try:
                amount = _to_decimal(value)
            except (InvalidOperation, ValueError, TypeError):
                err(fld, _("不是金额"))
                continue
            if amount != amount.quantize(Decimal("0.01")):
                err(fld, _("金额最多两位小数"))
                continue
            if abs(amount) >= Decimal("1e14"):
                err(fld, _("金额过大"))
                continue
            if fld != "accumulated_balance" and amount < 0:
                err(fld, _("不能为负数"))
                continue
            amounts[fld] = amount.quantize(Decimal("0.01"))
        if fund and year and month:
            key = (fund, year, month)
            if key in seen:
                err("month", _("与第%(line)s行重复（同一基金、年度、月份）") % {"line": seen[key]})
            else:
                seen[key] = line
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(
            {"line": line, "fund": str(fund), "year": year, "month": month, **{k: str(v) for k, v in amounts.items()}}
        )
    return result


def read_statement_workbook(content: bytes) -> ParseResult:
    """Read the first sheet of an xlsx (calamine) and validate it."""
    try:
        frame = pd.read_excel(io.BytesIO(content), engine="calamine", dtype=object, header=0)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's error, reported as such
        return ParseResult(errors=[RowError(0, _("文件"), "", _("无法读取Excel文件：%(error)s") % {"error": exc})])
    headers = {str(c).strip(): c for c in frame.columns}
    missing = [title for title in COLUMNS.values() if title not in headers]
    if missing:
        return ParseResult(errors=[RowError(1, title, "", _("表头缺少此列（请使用导入模板）")) for title in missing])
    max_rows = int(getattr(settings, "FUNDBUDGET_STATEMENT_MAX_ROWS", 2000))
    if len(frame) > max_rows:
        return ParseResult(errors=[RowError(0, _("文件"), str(len(frame)), _("行数超过%(max)s行") % {"max": max_rows})])
    records = [{fld: row[headers[title]] for fld, title in COLUMNS.items()} for row in frame.to_dict(orient="records")]
    return parse_statement_rows(records)


def template_workbook() -> bytes:
    """The import template with one example line (seed 004, end of April 2024); the fund from a drop-down."""
    widths = {"fund": 30, "year": 8, "month": 8}
    return template_xlsx(
        [
            TemplateColumn(title, choices=FUND_LABELS if key == "fund" else (), width=widths.get(key, 20))
            for key, title in COLUMNS.items()
        ],
        sheet=_("月度收支"),
        example=[FUND_LABELS[0], 2024, 4, 74915100, 51730500, 581000000],
    )
