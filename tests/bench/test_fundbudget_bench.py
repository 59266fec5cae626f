"""Fund budget: the execution endpoint under gunicorn, and a nightly warning refresh.

BENCH_SCALE (default 1) multiplies the years of statements kept (10 years × 3 funds × 12 months)."""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from http.client import HTTPConnection
from urllib.parse import urlparse

import pytest

from tests.bench.conftest import latency_summary

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
YEARS = max(2, int(10 * SCALE))
REFERENCE = "SETUP-NOTES: ~1,150 req/s (p95 14–18 ms) for a 30-row DRF endpoint from one query"


def _load_statements(actor):
    from fundbudget import services
    from fundbudget.models import MonthlyStatement

    services.warning_rules_ensure_defaults()
    rows = []
    for y in range(2024 - YEARS + 1, 2025):
        for fund in ("employee", "resident", "ltc"):
            for m in range(1, 13):
                rows.append(
                    MonthlyStatement(
                        fund=fund,
                        year=y,
                        month=m,
                        income_ytd=Decimal(1_000_000 * m),
                        expenditure_ytd=Decimal(900_000 * m + y),
                        accumulated_balance=Decimal(5_000_000),
                        source="demo",
                    )
                )
    MonthlyStatement.objects.bulk_create(rows)
    for fund in ("employee", "resident", "ltc"):
        services.budget_save(
            actor=actor,
            fund=fund,
            year=2024,
            income={"personal": "20000000"},
            expenditure={"general_outpatient": "15000000"},
        )
    return len(rows)


def test_execution_endpoint_throughput(gunicorn_server, bench_report, make_user):

    from medinsure.accounts.models import Role

    fund_user = make_user(Role.FUND)
    n = _load_statements(fund_user)
    from medinsure.accounts import tokens

    token = tokens.issue(make_user(Role.API_CLIENT))[1]
    parsed = urlparse(gunicorn_server)
    path = "/api/v1/fundbudget/execution/?year=2024&month=6"
    per_client, clients = int(60 * max(SCALE, 0.2)), 16

    def run(_):
        conn = HTTPConnection(parsed.hostname, parsed.port, timeout=20)
        samples, statuses = [], set()
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Token {token}"})
            r = conn.getresponse()
            r.read()
            samples.append(time.perf_counter() - start)
            statuses.add(r.status)
        conn.close()
        return samples, statuses

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(run, range(clients)))
    elapsed = time.perf_counter() - start
    samples = [s for r, _ in results for s in r]
    statuses = set().union(*(st for _, st in results))
    lat = latency_summary(samples)
    rate = len(samples) / elapsed
    bench_report.add("statements in the database", f"{n:,}")
    bench_report.add("GET execution (3 funds) req/s", f"{rate:,.0f}", REFERENCE)
    bench_report.add("p50 / p95 (ms)", f"{lat['p50_ms']:.1f} / {lat['p95_ms']:.1f}")
    bench_report.add("ratio to 1,150 req/s", f"{rate / 1150:.2f}")
    assert statuses == {200}


def test_warning_refresh(bench_report, make_user):
    from fundbudget.models import FundWarning, MonthlyStatement
    from fundbudget.tasks import warnings_refresh_task
    from medinsure.accounts.models import Role

    _load_statements(make_user(Role.FUND))
    make_user(Role.FUND)
    start = time.perf_counter()
    evaluated = warnings_refresh_task.run(2024)
    first = time.perf_counter() - start
    start = time.perf_counter()
    warnings_refresh_task.run(2024)
    second = time.perf_counter() - start
    bench_report.add("statements evaluated", f"{evaluated:,}", f"of {MonthlyStatement.objects.count():,} kept")
    bench_report.add(
        "first run (ms per statement)", f"{first / evaluated * 1000:.1f}", "target: a year's 36 statements in < 1 s"
    )
    bench_report.add("second run, nothing changes (ms/statement)", f"{second / evaluated * 1000:.1f}")
    bench_report.add("warnings", f"{FundWarning.objects.count():,}")
    assert evaluated == 72
