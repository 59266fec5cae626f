"""The shell's own speed: the login page and /healthz under gunicorn, 16 concurrent clients."""

import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from urllib.parse import urlparse

import pytest

from tests.bench.conftest import latency_summary

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True)]

REFERENCE = "SETUP-NOTES: ~1,150 req/s (p95 14–18 ms) for a 30-row DRF endpoint, ~1,300 req/s machine ceiling"


def _hammer(base_url: str, path: str, *, clients: int = 16, per_client: int = 150):
    parsed = urlparse(base_url)

    def run(_):
        conn = HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        samples, statuses = [], set()
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            samples.append(time.perf_counter() - start)
            statuses.add(response.status)
        conn.close()
        return samples, statuses

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(run, range(clients)))
    elapsed = time.perf_counter() - start
    samples = [s for r, _ in results for s in r]
    statuses = set().union(*(st for _, st in results))
    return len(samples) / elapsed, latency_summary(samples), statuses


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_shell_throughput(gunicorn_server, bench_report, path):
    rate, latency, statuses = _hammer(gunicorn_server, path)
    bench_report.add(f"GET {path} requests/s", f"{rate:,.0f}", REFERENCE)
    bench_report.add("p50 / p95 (ms)", f"{latency['p50_ms']:.1f} / {latency['p95_ms']:.1f}")
    bench_report.add("ratio to 1,150 req/s", f"{rate / 1150:.2f}")
    assert statuses <= {200, 503}  # /healthz answers 503 when no worker runs during the benchmark
