"""Entitlement for 1,000 persons in one call (issue 16: under 50 ms of database time, one query per kind
of record): the database time of ``claims.selectors.eligibility_many`` beside the floor measured in the
same run — one indexed read of the same 1,000 residents — on a registry of 50,000 residents with five
years of statuses, payments, and registers for one in ten."""

import random
import time
from datetime import date, timedelta

import pytest
from django.db import connection

from claims import selectors
from claims.models import DiseaseRegistration, RemoteCareFiling
from enrollment.models import CoverStop, InsuranceStatus, Payment, Resident
from medinsure.rules.id_numbers import make_id_number

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

RESIDENTS = 50_000
ASKED = 1_000
TARGET_MS = 50.0


class DbTimer:
    """Wall time spent inside the database driver (connection.execute_wrapper)."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


def _seed():
    born = date(1960, 1, 1)
    residents = [
        Resident(
            id_number=make_id_number("500116", born + timedelta(days=i // 500), i % 500),
            name=f"居民{i}",
            sex="M",
            birth_date=born,
        )
        for i in range(RESIDENTS)
    ]
    Resident.objects.bulk_create(residents, batch_size=5000)
    ids = list(Resident.objects.values_list("id", flat=True))
    InsuranceStatus.objects.bulk_create(
        [
            InsuranceStatus(resident_id=pk, year=y, status="tier1", source="tax", status_date=date(y, 1, 1))
            for pk in ids
            for y in range(2021, 2026)
        ],
        batch_size=10000,
    )
    Payment.objects.bulk_create(
        [
            Payment(
                resident_id=pk,
                year=2025,
                tier="tier1",
                amount=400,
                paid_on=date(2024, 11, 1),
                receipt_no=f"B{pk}",
                kind="on_time",
                cover_start=date(2025, 1, 1),
            )
            for pk in ids
        ],
        batch_size=10000,
    )
    tenth = ids[::10]
    DiseaseRegistration.objects.bulk_create(
        [
            DiseaseRegistration(resident_id=pk, disease="糖尿病", kind="chronic", valid_from=date(2024, 1, 1))
            for pk in tenth
        ]
    )
    RemoteCareFiling.objects.bulk_create(
        [RemoteCareFiling(resident_id=pk, kind="living", valid_from=date(2024, 1, 1)) for pk in tenth]
    )
    CoverStop.objects.bulk_create(
        [CoverStop(resident_id=pk, stopped_on=date(2025, 6, 1), reason="bench") for pk in ids[::50]]
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def test_eligibility_of_1000_persons(bench_report):
    _seed()
    numbers = random.Random(16).sample(list(Resident.objects.values_list("id_number", flat=True)), ASKED)

    def floor():
        return list(Resident.objects.filter(id_number__in=numbers).values_list("id", "birth_date"))

    def run():
        return selectors.eligibility_many(numbers, on=date(2025, 7, 1))

    floor()
    run()  # warm caches and plans
    best_floor = best_db = best_total = float("inf")
    queries = 0
    for _ in range(5):
        t = DbTimer()
        with connection.execute_wrapper(t):
            floor()
        best_floor = min(best_floor, t.seconds)
        t = DbTimer()
        start = time.perf_counter()
        with connection.execute_wrapper(t):
            answers = run()
        best_total = min(best_total, time.perf_counter() - start)
        best_db, queries = min(best_db, t.seconds), t.queries
    assert len(answers) == ASKED and sum(e.insured for _pk, e in answers.values()) > 0
    bench_report.add("persons asked / registry", f"{ASKED:,} / {RESIDENTS:,}")
    bench_report.add("queries", f"{queries}", "one per kind of record (6)")
    bench_report.add("database time (ms)", f"{best_db * 1000:.1f}", f"target < {TARGET_MS:.0f} ms")
    bench_report.add("floor: one indexed read of the 1,000 (ms)", f"{best_floor * 1000:.1f}", "same run")
    bench_report.add("ratio to the floor", f"{best_db / best_floor:.1f}")
    bench_report.add("whole call incl. Python (ms)", f"{best_total * 1000:.1f}")
    assert queries == 6
