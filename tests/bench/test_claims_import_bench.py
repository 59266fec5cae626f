"""Claims: a hospital's settlement file (CSV and xlsx, one row per line item) validated, previewed
with the engine's figures, and written in bulk.

BENCH_SCALE (default 1) multiplies 30,000 settlements × 4 line items = 120,000 rows.
Reference: SETUP-NOTES — reading a 100,000-row × 12-column xlsx into pandas takes 2.0–2.3 s with calamine."""

import os
import time

import pytest

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SETTLEMENTS = max(500, int(30_000 * SCALE))


@pytest.mark.timeout(3600)
def test_import_a_settlement_file(bench_report, divisions):
    from claims.models import Settlement, SettlementImport, SettlementLine
    from claims.services import settlement_import_apply, settlement_import_create
    from tests.claims.claims_db_helpers import csv_bytes, hospitals, load_policy, person, row

    policy = load_policy("guanxian-2018")
    h = hospitals(divisions)
    villages = [divisions.village_a1, divisions.village_a2, divisions.village_b1, divisions.village_b2]
    kinds = ["inpatient", "outpatient_general", "outpatient_general", "outpatient_chronic"]
    rows = []
    for i in range(SETTLEMENTS):
        kind = kinds[i % 4]
        level = 1 if kind == "outpatient_general" else 1 + i % 3
        rows.append(
            row(
                f"B{i:07d}",
                h[level],
                person(i % 997, born=__import__("datetime").date(1950 + i % 60, 1, 1)),
                villages[i % 4],
                kind=kind,
                settled=f"2018-{1 + i % 12:02d}-{1 + i % 28:02d}",
                cost=str(200 + (i * 37) % 20000),
                disease="糖尿病" if kind == "outpatient_chronic" else "",
                lines=4,
            )
        )
    content = csv_bytes(rows)
    lines = SETTLEMENTS * 4

    t = time.perf_counter()
    batch = settlement_import_create(actor=None, policy=policy, file_name="bench.csv", content=content)
    preview = time.perf_counter() - t
    assert batch.errors == [], batch.errors[:3]
    bench_report.add(
        "validate + preview (CSV)",
        f"{preview:.1f} s",
        f"{lines:,} rows, {SETTLEMENTS:,} settlements ({lines / preview:,.0f} rows/s)",
    )

    SettlementImport.objects.filter(pk=batch.pk).update(status=SettlementImport.Status.ACCEPTING)
    t = time.perf_counter()
    settlement_import_apply(import_id=batch.pk)
    write = time.perf_counter() - t
    assert Settlement.objects.count() == SETTLEMENTS and SettlementLine.objects.count() == lines
    bench_report.add(
        "write (re-validate, engine, COPY, statistics)",
        f"{write:.1f} s",
        f"{SETTLEMENTS / write:,.0f} settlements/s",
    )

    again = settlement_import_create(actor=None, policy=policy, file_name="bench.csv", content=content)
    SettlementImport.objects.filter(pk=again.pk).update(status=SettlementImport.Status.ACCEPTING)
    t = time.perf_counter()
    settlement_import_apply(import_id=again.pk)
    bench_report.add(
        "the same file again (nothing new)",
        f"{time.perf_counter() - t:.1f} s",
        f"{Settlement.objects.count():,} settlements, unchanged",
    )
    assert Settlement.objects.count() == SETTLEMENTS
