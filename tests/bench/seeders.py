"""The bulk seeders the benchmarks and the load test share (one seeder per kind of data, not two).

- ``copy_settlements``: claims settlements by COPY (the claims recalculation bench: 1,000,000 rows).
- ``synthetic_visits`` + ``insert_audited_settlements``: settlements with their line items in the
  shape the intelligent audit reads (the supervision audit bench: 1,000,000 line items).

Nothing here runs at import time; callers pass the institutions, divisions and policy version."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from claims.services import SETTLEMENT_COPY_COLUMNS

KINDS = ["inpatient"] * 3 + ["outpatient_general"] * 5 + ["outpatient_chronic", "inpatient_accident"]
# the columns claims writes with COPY, less the ones the database fills (id) or a seed has none of
SETTLEMENT_COLUMNS = tuple(c for c in SETTLEMENT_COPY_COLUMNS if c not in ("id", "import_batch_id"))
_QUOTED = ", ".join(f'"{c}"' for c in SETTLEMENT_COLUMNS)


def _one_or_many(x) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def copy_settlements(
    n: int,
    version,
    institution,
    division,
    *,
    year: int = 2018,
    prefix: str = "B",
    fund_share: Decimal = Decimal(0),
    seed: int = 7,
) -> None:
    """COPY ``n`` resident settlements of ``year`` into claims_settlement. ``institution`` and
    ``division`` are one object or a list (rows cycle over them). With ``fund_share`` 0 (the
    recalculation bench's pessimistic case) the fund paid nothing, so every row differs under a new
    policy; the load test passes a share so the statistics show believable amounts."""
    from django.db import connection

    from medinsure.rules.id_numbers import make_id_number

    institutions, divisions = _one_or_many(institution), _one_or_many(division)
    rng = random.Random(seed)
    persons = [
        make_id_number("500116", date(1950, 1, 1) + timedelta(days=i % 20000), i % 1000) for i in range(max(1, n // 3))
    ]
    buf = io.StringIO()
    w = csv.writer(buf)
    empty = json.dumps({})
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    for i in range(n):
        kind = rng.choice(KINDS)
        settled = date(year, 1, 1) + timedelta(days=rng.randrange(min(365, days)))
        cost = Decimal(rng.randrange(100, 50000))
        fund = (cost * fund_share).quantize(Decimal("0.01"))
        inpatient = kind.startswith("inpatient")
        idn = persons[i % len(persons)]
        inst = institutions[i % len(institutions)]
        w.writerow(
            [
                f"{prefix}{i:09d}",
                inst.pk,
                idn,
                "测试",
                "M" if int(idn[16]) % 2 else "F",
                f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}",
                divisions[i % len(divisions)].pk,
                "resident",
                kind,
                rng.randint(1, 3) if len(institutions) == 1 else (inst.level or 1),
                settled,
                settled if inpatient else r"\N",
                settled,
                0,
                "糖尿病" if kind == "outpatient_chronic" else "",
                "f",
                "resident",
                "",
                3,
                1,
                "f",
                cost,
                cost,
                0,
                fund,
                0,
                cost - fund,
                0,
                version.pk,
                empty,
                f"{year}-12-31 00:00:00+00",
                f"{year}-12-31 00:00:00+00",
            ]
        )
    buf.seek(0)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(
            f"COPY claims_settlement ({_QUOTED}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buf,
        )
        cur.execute("ANALYZE claims_settlement")


AUDIT_CODES = [
    "110200001",
    "110200002",
    "120100001",
    "250101001",
    "250101002",
    "250101003",
    "311100001",
    "311503001",
    "311201001",
    "330100001",
    "331301001",
    "120400001",
    "340200001",
    "210100001",
    "X00000001",
    "X00000002",
]


def synthetic_visits(n_lines: int, seed: int = 5):
    """Visits of May 2024 with ``n_lines`` line items in all, as the audit rules' dataclasses
    (institution_id is an index 0..59 into the caller's list of institutions)."""
    from supervision.rules.audit import Line, Visit

    rnd = random.Random(seed)
    visits, lid, vid = [], 0, 0
    start = date(2024, 5, 1)
    persons = max(1, n_lines // 12)
    while lid < n_lines:
        vid += 1
        person = f"5001161980{rnd.randrange(persons):08d}"
        day = start + timedelta(days=rnd.randrange(30))
        inpatient = rnd.random() < 0.15
        n = rnd.randint(8, 30) if inpatient else rnd.randint(1, 6)
        admitted = day - timedelta(days=rnd.randint(1, 8)) if inpatient else None
        lines = []
        for _ in range(min(n, n_lines - lid)):
            lid += 1
            code = rnd.choice(AUDIT_CODES)
            q = Decimal(rnd.randint(1, 3))
            p = Decimal(rnd.randint(5, 300))
            charged = (admitted + timedelta(days=rnd.randint(0, (day - admitted).days))) if inpatient else day
            lines.append(Line(lid, code, code, "a", q, p, q * p, charged))
        visits.append(
            Visit(
                vid,
                person,
                rnd.choice("MF"),
                date(1940 + rnd.randrange(80), 1 + rnd.randrange(12), 1),
                rnd.randrange(60),
                "medical" if rnd.random() < 0.8 else "pharmacy",
                "inpatient" if inpatient else "outpatient_general",
                day,
                admitted,
                day if inpatient else None,
                tuple(lines),
            )
        )
    return visits


def insert_audited_settlements(visits, institutions: Sequence, version, *, prefix: str = "B") -> None:
    """Write ``visits`` as claims settlements and their line items (bulk_create), ready for an
    audit run. ``visit.institution_id`` indexes ``institutions`` (cycled when shorter)."""
    from claims.models import Settlement, SettlementLine

    settlements = []
    for v in visits:
        total = sum((ln.amount for ln in v.lines), Decimal(0))
        settlements.append(
            Settlement(
                number=f"{prefix}{v.id:09d}",
                institution=institutions[v.institution_id % len(institutions)],
                id_number=v.person,
                name="测试",
                sex=v.sex,
                birth_date=v.birth_date,
                scheme="resident",
                kind=v.kind,
                hospital_level=2,
                admitted_on=v.admitted_on or v.settled_on,
                discharged_on=v.discharged_on,
                settled_on=v.settled_on,
                total_cost=total,
                in_scope_cost=total,
                deductible=0,
                fund_paid=0,
                critical_paid=0,
                personal_paid=total,
                policy_version=version,
            )
        )
    Settlement.objects.bulk_create(settlements, batch_size=5000)
    ids = dict(Settlement.objects.filter(number__startswith=prefix).values_list("number", "id"))
    SettlementLine.objects.bulk_create(
        (
            SettlementLine(
                settlement_id=ids[f"{prefix}{v.id:09d}"],
                item_code=ln.item_code,
                item_name=ln.item_name,
                category="a",
                quantity=ln.quantity,
                price=ln.price,
                amount=ln.amount,
                charged_on=ln.charged_on,
            )
            for v in visits
            for ln in v.lines
        ),
        batch_size=10000,
    )
