"""Replies: the daily reminder batch and the stats endpoint at city scale.

A district gets a few hundred suggestions and proposals a year; a city running the portal for all its
districts tens of thousands. BENCH_SCALE (default 1) multiplies the 20,000 cases loaded."""

import os
import time
from datetime import date, timedelta

import pytest

from tests.bench.conftest import latency_summary

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
CASES = max(200, int(20_000 * SCALE))
TARGET_BATCH_S = 30.0 * max(SCALE, 0.1)  # target: the nightly batch over every open case within half a minute
TARGET_STATS_P95_MS = 200.0
REFERENCE = "SETUP-NOTES: ~1.4 ms CPU per small DRF request; ~1,150 req/s for a 30-row endpoint"


def _load(clerk) -> None:
    from replies import selectors
    from replies.models import Proposal

    schedule = selectors.holiday_schedule()
    rows = []
    start = date(2026, 1, 1)
    for i in range(CASES):
        assigned = start + timedelta(days=i % 330)
        p = Proposal(
            kind="npc" if i % 3 else "cppcc",
            session="测试会议",
            number=str(i + 1),
            title=f"关于第{i + 1}项工作的建议",
            proposers=["测试代表"],
            assigned_on=assigned,
            clock_start=assigned,
            urgent=i % 10 == 0,
            status="handling" if i % 4 else "replied",
            drafter=clerk,
            department_head=clerk,
            created_by=clerk,
            replied_on=assigned + timedelta(days=60) if i % 4 == 0 else None,
        )
        due = selectors.compute_due(p, schedule)
        p.due_on, p.due_provisional, p.provisional_years = due.on, due.provisional, list(due.provisional_years)
        rows.append(p)
    Proposal.objects.bulk_create(rows, batch_size=5000)


def test_reminder_batch_and_stats(bench_report, make_user, api_as):
    from medinsure.accounts.models import Role
    from replies import services

    clerk = make_user(Role.OFFICE)
    t = time.perf_counter()
    _load(clerk)
    bench_report.add("cases loaded (due dates computed)", f"{CASES:,} in {time.perf_counter() - t:.1f}s")

    t = time.perf_counter()
    first = services.reminders_run(as_of=date(2026, 11, 24))
    batch = time.perf_counter() - t
    t = time.perf_counter()
    again = services.reminders_run(as_of=date(2026, 11, 24))
    rerun = time.perf_counter() - t
    bench_report.add("reminder batch, first run", f"{batch:.2f}s", f"target < {TARGET_BATCH_S:.0f}s; {first}")
    bench_report.add("reminder batch, re-run (no-op)", f"{rerun:.2f}s", f"{again}")
    assert again == {"reminders": 0, "overdue": 0}

    api = api_as(make_user(Role.API_CLIENT))
    samples = []
    for _ in range(30):
        t = time.perf_counter()
        r = api.get("/api/v1/replies/stats/?year=2026")
        samples.append(time.perf_counter() - t)
        assert r.status_code == 200
    s = latency_summary(samples)
    bench_report.add("GET /api/v1/replies/stats/ p50", f"{s['p50_ms']:.1f} ms", REFERENCE)
    bench_report.add(
        "GET /api/v1/replies/stats/ p95", f"{s['p95_ms']:.1f} ms", f"target < {TARGET_STATS_P95_MS:.0f} ms"
    )
    assert batch < TARGET_BATCH_S
    assert s["p95_ms"] < TARGET_STATS_P95_MS
