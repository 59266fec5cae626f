"""Benchmark harness (`make bench`, never `make test`): each benchmark prints its figures beside
its reference and the ratio, so a reader sees at once how far from the floor or the target it is."""

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Report:
    def __init__(self, title: str):
        self.title = title
        self.rows: list[tuple[str, str, str]] = []

    def add(self, name: str, value: str, reference: str = "") -> None:
        self.rows.append((name, value, reference))

    def print(self) -> None:
        width = max([len(r[0]) for r in self.rows] + [10])
        print(f"\n=== {self.title} ===")
        for name, value, reference in self.rows:
            print(f"  {name:<{width}}  {value:>18}  {reference}")


@pytest.fixture
def bench_report(request):
    report = Report(request.node.name)
    yield report
    report.print()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def latency_summary(samples: list[float]) -> dict:
    return {
        "p50_ms": statistics.median(samples) * 1000,
        "p95_ms": percentile(samples, 95) * 1000,
        "mean_ms": statistics.fmean(samples) * 1000,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_of_test_db() -> str:
    from django.db import connection

    s = connection.settings_dict
    host = s.get("HOST") or "localhost"
    if host.startswith("/"):
        return f"postgres://{s['USER']}@{quote(host, safe='')}/{s['NAME']}"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{s['USER']}@{host}{port}/{s['NAME']}"


@pytest.fixture
def gunicorn_server(transactional_db):
    """The portal under gunicorn (2 sync workers, as in SETUP-NOTES' reference figure) on the test database."""
    from django.conf import settings

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "medinsure.settings",
        "API_USER_RATE": "100000000/min",  # benchmarks measure the endpoint, not the per-user throttle
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "medinsure.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
