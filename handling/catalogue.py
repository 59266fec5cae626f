"""The catalogue (经办事项) and the diseases (慢特病病种) as seed data: fixtures/handling/*.yaml.

Loaded by the data migration, again after ``migrate``/``flush`` (post_migrate, like replies' holiday
years) and by ``manage.py handling_catalogue``. Rows are matched by code (items) and name+kind
(diseases): a re-run adds what is missing and leaves the bureau's edits alone unless ``refresh``."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "handling"


def _read(name: str) -> list[dict]:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


def load(HandlingItem, Disease, *, refresh: bool = False) -> int:
    """Add (or with ``refresh`` reset) the seed rows; returns how many rows were written."""
    written = 0
    for row in _read("items.yaml"):
        values = {
            "name": row["name"],
            "level": row["level"],
            "channels": list(row["channels"]),
            "cross_province": bool(row.get("cross_province", False)),
            "papers": list(row["papers"]),
            "time_limit_workdays": int(row["time_limit_workdays"]),
            "kind": row.get("kind", "generic"),
            "demo_guess": bool(row.get("demo_guess", False)),
        }
        if refresh:
            HandlingItem.objects.update_or_create(code=row["code"], defaults=values)
            written += 1
        else:
            written += HandlingItem.objects.get_or_create(code=row["code"], defaults=values)[1]
    for row in _read("diseases.yaml"):
        values = {"condition": row.get("condition", "")}
        if refresh:
            Disease.objects.update_or_create(name=row["name"], kind=row["kind"], defaults=values)
            written += 1
        else:
            written += Disease.objects.get_or_create(name=row["name"], kind=row["kind"], defaults=values)[1]
    return written
