"""Rows of the assigning office's list (交办清单) → validated case data, or errors naming the column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

COLUMNS = {  # header in the file → field
    "类别": "kind",
    "会议届次": "session",
    "编号": "number",
    "标题": "title",
    "提出人": "proposers",
    "交办日期": "assigned_on",
    "急件": "urgent",
    "涉及面广难度大": "hard",
}
REQUIRED = ("类别", "会议届次", "编号", "标题", "提出人", "交办日期")
KINDS = {"人大代表建议": "npc", "建议": "npc", "npc": "npc", "政协委员提案": "cppcc", "提案": "cppcc", "cppcc": "cppcc"}
YES = {"是", "急件", "y", "yes", "true", "1"}
NO = {"", "否", "n", "no", "false", "0"}


@dataclass(frozen=True)
class IntakeRow:
    line: int
    kind: str
    session: str
    number: str
    title: str
    proposers: tuple[str, ...]
    assigned_on: date
    urgent: bool
    hard: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.session, self.number)


@dataclass(frozen=True)
class IntakeError:
    line: int
    column: str
    code: str  # missing | invalid | too_long | duplicate
    value: str = ""


def missing_columns(headers: list[str]) -> tuple[str, ...]:
    present = {h.strip() for h in headers}
    return tuple(c for c in REQUIRED if c not in present)


def _date(value: str) -> date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_row(raw: dict[str, str], line: int) -> IntakeRow | tuple[IntakeError, ...]:
    """One row; ``raw`` maps the file's headers to cell text. Every problem of the row is reported."""
    cell = {k.strip(): ("" if v is None else str(v)).strip() for k, v in raw.items()}
    errors: list[IntakeError] = []
    for column in REQUIRED:
        if not cell.get(column):
            errors.append(IntakeError(line, column, "missing"))
    kind = KINDS.get(cell.get("类别", "").lower() if cell.get("类别", "").isascii() else cell.get("类别", ""))
    if cell.get("类别") and kind is None:
        errors.append(IntakeError(line, "类别", "invalid", cell["类别"]))
    number = cell.get("编号", "").removeprefix("第").removesuffix("号")
    if cell.get("编号") and not number.isdigit():
        errors.append(IntakeError(line, "编号", "invalid", cell["编号"]))
    assigned = _date(cell.get("交办日期", "")) if cell.get("交办日期") else None
    if cell.get("交办日期") and assigned is None:
        errors.append(IntakeError(line, "交办日期", "invalid", cell["交办日期"]))
    flags = {}
    for column, name in (("急件", "urgent"), ("涉及面广难度大", "hard")):
        value = cell.get(column, "").lower()
        if value in YES:
            flags[name] = True
        elif value in NO:
            flags[name] = False
        else:
            errors.append(IntakeError(line, column, "invalid", cell.get(column, "")))
    proposers = tuple(p for p in re.split(r"[、,，;；\s]+", cell.get("提出人", "")) if p)
    title = cell.get("标题", "").strip("《》")
    for column, value, limit in (
        ("标题", title, 300),
        ("会议届次", cell.get("会议届次", ""), 100),
        ("编号", number, 30),
    ):
        if len(value) > limit:
            errors.append(IntakeError(line, column, "too_long", value[:20] + "…"))
    if any(len(p) > 50 for p in proposers):
        errors.append(IntakeError(line, "提出人", "too_long", cell.get("提出人", "")[:20] + "…"))
    if errors:
        return tuple(errors)
    return IntakeRow(line, kind, cell["会议届次"], number, title, proposers, assigned, flags["urgent"], flags["hard"])


def parse_rows(
    rows: list[dict[str, str]], *, first_line: int = 2
) -> tuple[tuple[IntakeRow, ...], tuple[IntakeError, ...]]:
    """All rows; a number repeated inside the file is an error on its second line."""
    good: list[IntakeRow] = []
    errors: list[IntakeError] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, raw in enumerate(rows):
        line = first_line + i
        if not any(str(v or "").strip() for v in raw.values()):
            continue
        result = parse_row(raw, line)
        if isinstance(result, tuple):
            errors.extend(result)
            continue
        if result.key in seen:
            errors.append(IntakeError(line, "编号", "duplicate", f"{result.number}（第{seen[result.key]}行）"))
            continue
        seen[result.key] = line
        good.append(result)
    return tuple(good), tuple(errors)
