"""The bulk merges keep a linear plan whatever the statistics say (medinsure.core.bulk).

The trap, as it failed a fresh clone's suite: residents are inserted earlier in the same transaction (the
demo, or a bureau's first imports into an empty registry); autovacuum's ANALYZE, from another connection,
cannot see those rows and records the registry as empty with many pages; the planner then joins the
staging table to the registry by a nested loop with a join filter, and a demo-sized merge runs for
minutes. Here a real second connection analyses the tables while our rows are uncommitted, exactly as
autovacuum does, and every merge that follows must plan without a nested loop and run in linear time.
"""

from __future__ import annotations

import csv
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from enrollment import importers
from enrollment.models import ImportBatch, InsuranceStatus, Payment, Resident
from medinsure.core.bulk import linear_plan, plan_nodes
from medinsure.core.imports import deflate_writer
from medinsure.rules.id_numbers import make_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.service]

N = 20_000  # tens of thousands: a quadratic plan over two such inputs runs for minutes, a linear one in seconds
BIG_TABLES = ("enrollment_resident", "enrollment_insurancestatus", "enrollment_payment", "enrollment_residenthistory")


def _person(i: int) -> tuple[str, date]:
    born = date(1940, 1, 1) + timedelta(days=(i * 7919) % 30_000)
    return make_id_number("500116", born, i // 30_000 % 1000), born


def _stage(cur, tmp_path, source: str, rows: list[dict], *, year=None) -> ImportBatch:
    batch = ImportBatch.objects.create(
        source=source,
        file_name=f"{source}-{len(rows)}",
        sha256="t",
        year=year,
        status=ImportBatch.Status.ACCEPTING,
    )
    sink = deflate_writer()
    w = csv.writer(sink)
    for row in rows:
        w.writerow([importers._format(row.get(c)) for c in importers.STAGE_COLUMNS])
    importers.load_stage(cur, sink.value(), batch.pk)
    return batch


def _police(start: int, n: int, village: str) -> list[dict]:
    out = []
    for i in range(start, start + n):
        number, born = _person(i)
        out.append(
            {
                "line": i + 2,
                "id_number": number,
                "name": f"居民{i}",
                "sex": "M" if int(number[16]) % 2 else "F",
                "birth_date": born,
                "hukou_code": village,
                "residence_code": village,
                "phone": "",
                "address": f"{i}号",
            }
        )
    return out


def _tax(start: int, n: int, year: int) -> list[dict]:
    out = []
    for i in range(start, start + n):
        number, born = _person(i)
        out.append(
            {
                "line": i + 2,
                "id_number": number,
                "name": "x",
                "sex": "M",
                "birth_date": born,
                "year": year,
                "status": "tier1",
                "status_date": date(year - 1, 10, 1),
                "tier": "tier1",
                "amount": Decimal("380.00"),
                "ltc_amount": Decimal("0.00"),
                "paid_on": date(year - 1, 10, 1),
                "receipt_no": f"T{year}{i:08d}",
                "kind": "normal",
                "cover_start": date(year, 1, 1),
            }
        )
    return out


def _stats_say_empty():
    """ANALYZE the registry from a second connection while our inserts are uncommitted: what autovacuum
    records (reltuples 0, relpages > 0). Returns the registry's pg_class figures as our transaction sees them."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        with other.cursor() as c:
            for t in BIG_TABLES:
                c.execute(f"ANALYZE {t}")
    finally:
        other.close()
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples, relpages FROM pg_class WHERE relname = 'enrollment_resident'")
        return cur.fetchone()


def _nested_loops(cur, sql: str, params: dict) -> list[dict]:
    with linear_plan(cur):
        return [n for n in plan_nodes(cur, sql, params) if n["Node Type"] == "Nested Loop"]


def _timed_merge(fn, **kwargs) -> float:
    with connection.cursor() as cur:
        cur.execute("SET LOCAL statement_timeout = '60s'")  # a quadratic plan over N rows runs far past this
        t = time.perf_counter()
        fn(cur, **kwargs)
        return time.perf_counter() - t


def test_merges_plan_and_run_linearly_into_a_registry_whose_statistics_say_empty(divisions, tmp_path):
    village = divisions.village_a1.code
    with connection.cursor() as cur:
        first = _stage(cur, tmp_path, "police", _police(0, N, village))
        assert importers.merge_resident_rows(cur, source="police", batch_id=first.pk, actor_id=None) == (N, 0)
        tax = _stage(cur, tmp_path, "tax", _tax(0, N, 2025), year=2025)
    assert Resident.objects.count() == N

    reltuples, relpages = _stats_say_empty()
    assert reltuples == 0 and relpages > 100, "the precondition: the registry's statistics say empty"

    with connection.cursor() as cur:
        # the plans the merges run with: no nested loop anywhere
        params = {"batch": tax.pk, "source": "tax", "actor": None}
        assert _nested_loops(cur, importers.STATUS_MERGE_SQL, params) == []
        assert _nested_loops(cur, importers.PAYMENT_MERGE_SQL, {"batch": tax.pk}) == []
        assert _nested_loops(cur, importers.resident_merge_sql("tax"), params) == []
        # …and without linear_plan the same statistics choose one (so the assertion above can fail)
        bare = [n["Node Type"] for n in plan_nodes(cur, importers.STATUS_MERGE_SQL, params)]
        assert "Nested Loop" in bare

    small = _timed_merge(importers.merge_status_rows, source="tax", batch_id=tax.pk, actor_id=None)
    _timed_merge(importers.merge_payment_rows, batch_id=tax.pk)
    assert InsuranceStatus.objects.filter(year=2025).count() == N
    assert Payment.objects.count() == N

    # linear: four times the rows (a second year's file into the same registry, statistics still empty)
    # takes about four times as long, never the sixteen times of a quadratic plan
    with connection.cursor() as cur:
        more = _stage(cur, tmp_path, "police", _police(N, 3 * N, village))
        assert importers.merge_resident_rows(cur, source="police", batch_id=more.pk, actor_id=None) == (3 * N, 0)
        big_tax = _stage(cur, tmp_path, "tax", _tax(0, 4 * N, 2026), year=2026)
    assert _stats_say_empty()[0] == 0
    big = _timed_merge(importers.merge_status_rows, source="tax", batch_id=big_tax.pk, actor_id=None)
    assert InsuranceStatus.objects.filter(year=2026).count() == 4 * N
    assert big < 10 * max(small, 0.05), f"{N:,} rows {small:.2f} s, {4 * N:,} rows {big:.2f} s: not linear"

    # the setting is back for everything else the transaction runs
    with connection.cursor() as cur:
        cur.execute("SHOW enable_nestloop")
        assert cur.fetchone()[0] == "on"
