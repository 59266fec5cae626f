"""Writes to the division tree: loading it from the statistical-code CSV."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from medinsure.regions.models import PREFIX_LENGTH, Division

LEVEL_ORDER = ["district", "township", "village", "grid"]


@dataclass(frozen=True)
class DivisionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


def _read_rows(path: Path) -> list[DivisionRow]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"code", "name", "level", "parent_code"} - set(reader.fieldnames or [])
        if missing:
            raise ValidationError({"file": f"缺少列：{', '.join(sorted(missing))}"})
        rows, errors, seen = [], [], set()
        for line, raw in enumerate(reader, start=2):
            row = DivisionRow(
                line, raw["code"].strip(), raw["name"].strip(), raw["level"].strip(), raw["parent_code"].strip()
            )
            expected = 15 if row.level == "grid" else 12
            if row.level not in LEVEL_ORDER:
                errors.append(f"第{line}行 level：未知层级“{row.level}”")
            elif not (row.code.isdigit() and len(row.code) == expected):
                errors.append(f"第{line}行 code：应为{expected}位数字")
            elif row.code in seen:
                errors.append(f"第{line}行 code：重复的区划代码 {row.code}")
            elif row.level != "district" and not row.code.startswith(
                row.parent_code[: PREFIX_LENGTH[LEVEL_ORDER[LEVEL_ORDER.index(row.level) - 1]]]
            ):
                errors.append(f"第{line}行 parent_code：与区划代码不一致")
            if not row.name:
                errors.append(f"第{line}行 name：不能为空")
            seen.add(row.code)
            rows.append(row)
    if errors:
        raise ValidationError({"file": errors})
    return rows


@transaction.atomic
def divisions_load_csv(*, path: Path) -> dict:
    """Create or update the division tree from a CSV; a second run of the same file changes nothing."""
    rows = _read_rows(Path(path))
    existing = {d.code: d for d in Division.objects.all()}
    created = updated = 0
    for level in LEVEL_ORDER:
        level_rows = [r for r in rows if r.level == level]
        new = []
        for r in level_rows:
            parent = existing.get(r.parent_code) if r.parent_code else None
            if r.level != "district" and parent is None:
                raise ValidationError({"file": f"第{r.line}行 parent_code：上级区划 {r.parent_code} 不存在"})
            current = existing.get(r.code)
            if current is None:
                new.append(Division(code=r.code, name=r.name, level=r.level, parent=parent))
            elif (current.name, current.level, current.parent_id) != (r.name, r.level, parent.pk if parent else None):
                current.name, current.level, current.parent = r.name, r.level, parent
                current.save(update_fields=["name", "level", "parent"])
                updated += 1
        for d in Division.objects.bulk_create(new, batch_size=1000):
            existing[d.code] = d
        created += len(new)
    return {"created": created, "updated": updated}
