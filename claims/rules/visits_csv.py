"""The ``reimburse`` VISITS/OUT CSV contract as pure functions (issue 4).

VISITS columns (UTF-8, header row; extra columns ignored; an empty cell means none / 0 / no):
``visit_id,person_id,date,kind,hospital_level,in_scope_cost,essential_drug_cost,disease,third_party,group,employment,continuous_years``
plus the optional ``tier`` (1/2), ``poor`` (1/0), ``place`` (local / in_province / out_of_province) and ``filed`` (1/0: a remote-care filing). OUT: ``visit_id,deductible,fund_paid,critical_paid,personal_paid``.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from .engine import ZERO, Visit, VisitResult, settle
from .messages import Message
from .messages import gettext_noop as N_
from .policy import EMPLOYMENTS, GROUPS, KINDS, PLACES, Policy

VISIT_COLUMNS = (
    "visit_id",
    "person_id",
    "date",
    "kind",
    "hospital_level",
    "in_scope_cost",
    "essential_drug_cost",
    "disease",
    "third_party",
    "group",
    "employment",
    "continuous_years",
)
OPTIONAL_COLUMNS = ("tier", "poor", "place", "filed")
OUT_COLUMNS = ("visit_id", "deductible", "fund_paid", "critical_paid", "personal_paid")


class VisitsError(ValueError):
    """Problems of a visits file, each naming its line (1 = the header) and column."""

    def __init__(self, errors: list[tuple[int, str, Message]]):
        self.errors = errors
        super().__init__("; ".join(self.render()))

    def render(self, translate=lambda s: s) -> list[str]:
        line_msg = translate("第 %(line)s 行，%(column)s 列：%(message)s")
        out = []
        for line, column, msg in self.errors:
            out.append(line_msg % {"line": line, "column": column or "-", "message": msg.render(translate)})
        return out


def parse_date(text: str) -> date:
    text = text.strip().replace("/", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return date.fromisoformat(text)


def _decimal(text: str) -> Decimal:
    if not text.strip():
        return ZERO
    value = Decimal(text.strip().replace(",", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("", "0", "no", "false", "n", "否"):
        return False
    if value in ("1", "yes", "true", "y", "是"):
        return True
    raise ValueError(text)


def visit_from_row(row: dict, errors: list, line: int) -> Visit | None:
    """Build a Visit from one mapping of column → text; append (line, column, message) errors."""
    n_before = len(errors)

    def err(column, msgid, **params):
        errors.append((line, column, Message.of(msgid, **params)))

    def cell(column):
        value = row.get(column)
        return "" if value is None else str(value).strip()

    visit_id = cell("visit_id")
    if not visit_id:
        err("visit_id", N_("必填"))
    person_id = cell("person_id")
    if not person_id:
        err("person_id", N_("必填"))
    visit_date = None
    try:
        visit_date = parse_date(cell("date"))
    except ValueError:
        err("date", N_("%(value)s 不是日期（YYYY-MM-DD）"), value=cell("date") or "-")
    kind = cell("kind")
    if kind not in KINDS:
        err(
            "kind", N_("%(value)s 不是有效的就诊类别（允许：%(choices)s）"), value=kind or "-", choices=", ".join(KINDS)
        )
    level = None
    try:
        raw_level = Decimal(cell("hospital_level"))  # "2" or a spreadsheet's "2.0"
        if raw_level != raw_level.to_integral_value() or int(raw_level) not in (1, 2, 3, 4):
            raise ValueError
        level = int(raw_level)
    except (ValueError, InvalidOperation):
        err("hospital_level", N_("%(value)s 不是 1–4 级医院等级"), value=cell("hospital_level") or "-")
    amounts = {}
    for column in ("in_scope_cost", "essential_drug_cost"):
        try:
            amounts[column] = _decimal(cell(column))
            if amounts[column] < 0:
                err(column, N_("不能为负数"))
        except (InvalidOperation, ValueError):
            err(column, N_("%(value)s 不是数字"), value=cell(column))
    if (
        amounts.get("essential_drug_cost") is not None
        and amounts.get("in_scope_cost") is not None
        and amounts["essential_drug_cost"] > amounts["in_scope_cost"]
    ):
        err("essential_drug_cost", N_("大于政策范围内费用 in_scope_cost"))
    third_party = False
    try:
        third_party = _flag(cell("third_party"))
    except ValueError:
        err("third_party", N_("%(value)s 不是 1 或 0"), value=cell("third_party"))
    poor = False
    try:
        poor = _flag(cell("poor"))
    except ValueError:
        err("poor", N_("%(value)s 不是 1 或 0"), value=cell("poor"))
    group = cell("group") or "resident"
    if group not in GROUPS:
        err("group", N_("%(value)s 不是有效的人群（允许：%(choices)s）"), value=group, choices=", ".join(GROUPS))
    employment = cell("employment")
    if employment and employment not in EMPLOYMENTS:
        err(
            "employment",
            N_("%(value)s 不是有效的在职状态（允许：%(choices)s）"),
            value=employment,
            choices=", ".join(EMPLOYMENTS),
        )
    years = 0
    try:
        years = int(cell("continuous_years") or 0)
        if years < 0:
            raise ValueError
    except ValueError:
        err("continuous_years", N_("%(value)s 不是整数年数"), value=cell("continuous_years"))
    tier = 1
    try:
        tier = int(cell("tier") or 1)
        if tier not in (1, 2):
            raise ValueError
    except ValueError:
        err("tier", N_("%(value)s 不是档次 1 或 2"), value=cell("tier"))
    place = cell("place") or "local"
    if place not in PLACES:
        err("place", N_("%(value)s 不是有效的就医地（允许：%(choices)s）"), value=place, choices=", ".join(PLACES))
    filed = False
    if cell("filed"):
        if cell("filed").lower() not in ("1", "0", "true", "false"):
            err("filed", N_("%(value)s 应为 1 或 0"), value=cell("filed"))
        filed = cell("filed").lower() in ("1", "true")
    if len(errors) > n_before:
        return None
    return Visit(
        visit_id=visit_id,
        person_id=person_id,
        date=visit_date,
        kind=kind,
        hospital_level=level,
        in_scope_cost=amounts["in_scope_cost"],
        essential_drug_cost=amounts["essential_drug_cost"],
        disease=cell("disease"),
        third_party=third_party,
        group=group,
        employment=employment,
        continuous_years=years,
        tier=tier,
        poor=poor,
        place=place,
        filed=filed,
    )


def parse_visits_csv(text: str) -> list[Visit]:
    """Parse a whole VISITS file; raise ``VisitsError`` listing every bad line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in VISIT_COLUMNS if c not in header]
    if missing:
        raise VisitsError([(1, c, Message.of(N_("缺少该列"))) for c in missing])
    reader.fieldnames = header
    visits, errors = [], []
    for line, row in enumerate(reader, start=2):
        if None in row:
            errors.append((line, "-", Message.of(N_("单元格多于表头"))))
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        visit = visit_from_row(row, errors, line)
        if visit is not None:
            visits.append(visit)
    if errors:
        raise VisitsError(errors)
    return visits


def format_results_csv(results: list[VisitResult]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUT_COLUMNS)
    for r in results:
        writer.writerow(
            [
                r.visit_id,
                f"{r.deductible:.2f}",
                f"{r.fund_paid:.2f}",
                f"{r.critical_paid:.2f}",
                f"{r.personal_paid:.2f}",
            ]
        )
    return out.getvalue()


def reimburse_csv(policy: Policy, visits_text: str) -> str:
    """VISITS text in → OUT text out (one row per input row, in input order)."""
    return format_results_csv(settle(policy, parse_visits_csv(visits_text)))
