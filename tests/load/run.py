"""`make load`: the portal under gunicorn, as production runs it, against the demo district grown to
1,400,000 residents with a year of claims settlements and a month of audited line items; wrk drives
four read scenarios for 60 s each and each must hold >= 200 req/s, p95 < 100 ms and no error.

    python -m tests.load.run [--seconds 60] [--connections 16] [--only progress,claims] [--seed-only]

The database is DATABASE_URL (the embedded PostgreSQL on a fresh clone). The first run seeds it
(about ten minutes: the same seeders as tests/bench); later runs count the rows and reuse them.
Not collected by pytest (no test_ prefix); never imports wrk or any load tool into a test process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LUA = Path(__file__).with_name("scenario.lua")

RESIDENTS = int(os.environ.get("LOAD_RESIDENTS", "1400000"))
# claims: a year of resident settlements for each of two years (the statistics compare with last year)
SETTLEMENTS_PER_YEAR = int(os.environ.get("LOAD_SETTLEMENTS", "500000"))
CLAIMS_YEARS = (2024, 2025)
CLAIMS_PREFIX = "L"  # settlement numbers L<year><9 digits> (the demo's own use other numbers)
# supervision: a month (May 2024) of line items read, checked and flagged by the intelligent audit
AUDIT_LINES = int(os.environ.get("LOAD_AUDIT_LINES", "1000000"))
AUDIT_PREFIX = "A"
WORKER_TASKS = 40  # a village grid worker's own list: a few dozen households to visit
WORKER = "load_worker"

TARGET_RPS = 200.0
TARGET_P95_MS = 100.0


@dataclass
class Scenario:
    name: str
    label: str
    path: str
    username: str


SCENARIOS = [
    Scenario(
        "progress",
        "参保进度（区县用户）",
        "/api/v1/enrollment/progress/?year=2025&level=township",
        "enroll",
    ),
    Scenario("claims", "待遇结算统计", "/api/v1/claims/stats/?year=2025", "claims"),
    Scenario("supervision", "基金监管统计", "/api/v1/supervision/stats/?year=2024", "supervise"),
    Scenario("tasks", "网格员本人任务清单", "/api/v1/enrollment/tasks/?year=2025", WORKER),
]


def log(msg: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S', time.gmtime())} UTC] {msg}", flush=True)


# --- data --------------------------------------------------------------------------------------------
def ensure_data() -> dict:
    """Seed what is missing (counted, so a second run seeds nothing) and return the counts."""
    from django.core.management import call_command

    from claims.models import Settlement
    from enrollment.models import Resident
    from medinsure.regions.models import Division

    call_command("migrate", interactive=False, verbosity=0)  # a fresh clone's embedded database
    if not Division.objects.filter(level=Division.Level.VILLAGE).exists():
        log("loading the demo district (load_demo)")
        call_command("load_demo", stdout=sys.stdout)
    if Resident.objects.count() < RESIDENTS:
        from enrollment import demo

        log(f"growing the registry to {RESIDENTS:,} residents (enrollment demo seeder, import path)")
        t = time.perf_counter()
        demo.seed(residents=RESIDENTS)
        demo.finish()
        log(f"  done in {time.perf_counter() - t:.0f} s")
    for year in CLAIMS_YEARS:
        have = Settlement.objects.filter(number__startswith=f"{CLAIMS_PREFIX}{year}").count()
        if have != SETTLEMENTS_PER_YEAR:
            _seed_claims(year, replace=have)
    if not Settlement.objects.filter(number__startswith=AUDIT_PREFIX).exists():
        _seed_audit()
    _ensure_worker()
    _analyze()
    return counts()


def _analyze() -> None:
    """What autovacuum would do after the bulk writes (it may be off or behind, as on this machine):
    fresh planner statistics for every table changed by more than a tenth since it was analysed."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE n_mod_since_analyze > 1000 + n_live_tup / 10 ORDER BY relname"
        )
        stale = [r[0] for r in cur.fetchall()]
        for table in stale:
            cur.execute(f'ANALYZE "{table}"')
    if stale:
        log(f"analysed {len(stale)} tables: {', '.join(stale)}")


def counts() -> dict:
    from claims.models import MonthlyStat, Settlement, SettlementLine
    from enrollment.models import MobilisationTask, Resident
    from supervision.models import Flag

    return {
        "residents": Resident.objects.count(),
        "mobilisation_tasks": MobilisationTask.objects.count(),
        "settlements": Settlement.objects.count(),
        "settlement_lines": SettlementLine.objects.count(),
        "monthly_stats": MonthlyStat.objects.count(),
        "flags": Flag.objects.count(),
    }


def _seed_claims(year: int, *, replace: int) -> None:
    from claims import services
    from claims.models import PolicyVersion, Settlement
    from medinsure.institutions.models import Institution
    from medinsure.regions.models import Division
    from tests.bench.seeders import copy_settlements

    if replace:
        Settlement.objects.filter(number__startswith=f"{CLAIMS_PREFIX}{year}").delete()
    version = (
        PolicyVersion.objects.filter(policy__year=year).order_by("-id").first()
        or PolicyVersion.objects.order_by("-id").first()
    )
    hospitals = list(Institution.objects.filter(kind="medical", level__isnull=False).order_by("code"))
    villages = list(Division.objects.filter(level=Division.Level.VILLAGE).order_by("code"))
    log(f"claims: COPY {SETTLEMENTS_PER_YEAR:,} settlements of {year} (claims recalculation bench seeder)")
    t = time.perf_counter()
    copy_settlements(
        SETTLEMENTS_PER_YEAR,
        version,
        hospitals,
        villages,
        year=year,
        prefix=f"{CLAIMS_PREFIX}{year}",
        fund_share=Decimal("0.55"),
        seed=year,
    )
    services.monthly_stats_refresh(year=year)
    log(f"  done in {time.perf_counter() - t:.0f} s (monthly figures refreshed)")


def _seed_audit() -> None:
    from claims.models import PolicyVersion
    from medinsure.institutions.models import Institution
    from supervision import services
    from tests.bench.seeders import insert_audited_settlements, synthetic_visits

    services.audit_rules_ensure_defaults()
    institutions = list(Institution.objects.order_by("code"))
    version = PolicyVersion.objects.filter(policy__year=2024).order_by("-id").first()
    log(f"supervision: {AUDIT_LINES:,} line items of May 2024 (supervision audit bench seeder), then an audit run")
    t = time.perf_counter()
    insert_audited_settlements(synthetic_visits(AUDIT_LINES, seed=7), institutions, version, prefix=AUDIT_PREFIX)
    log(f"  loaded in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    run = services.audit_run(kind="monthly", start=date(2024, 5, 1), end=date(2024, 5, 31))
    log(f"  audit run: {run.lines:,} lines, {run.new_flags:,} flags in {time.perf_counter() - t:.0f} s")


def _ensure_worker() -> None:
    """A grid worker of the demo village next to the demo worker's, with a few dozen of its tasks."""
    from enrollment.models import MobilisationTask
    from medinsure.accounts.models import Role, User
    from medinsure.regions.models import Division

    worker = User.objects.filter(username=WORKER).first()
    if worker is None:
        village = Division.objects.get(code="500116001002")
        worker = User.objects.create_user(
            username=WORKER, password=None, role=Role.VILLAGE, division=village, first_name="网格员（压测）"
        )
    mine = MobilisationTask.objects.filter(assignee=worker, campaign__year=2025).count()
    if mine < WORKER_TASKS:
        free = MobilisationTask.objects.filter(
            campaign__year=2025, assignee__isnull=True, division__code__startswith=worker.division.code
        ).order_by("id")[: WORKER_TASKS - mine]
        MobilisationTask.objects.filter(pk__in=[t.pk for t in free]).update(assignee=worker, status="assigned")


def token_of(username: str) -> str:
    from medinsure.accounts import tokens
    from medinsure.accounts.models import User

    return tokens.issue(User.objects.get(username=username), name="load test")[1]


# --- server ------------------------------------------------------------------------------------------
# The load test measures the portal, not the per-user API throttle (one token drives every request).
NO_USER_THROTTLE = {"API_USER_RATE": "100000000/min", "MEDINSURE_DEV": os.environ.get("MEDINSURE_DEV", "1")}


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "medinsure.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    if threads > 1:
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **NO_USER_THROTTLE, "DJANGO_SETTINGS_MODULE": "medinsure.settings"}
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer on its port")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wrk(url: str, token: str, *, seconds: int, connections: int, threads: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(LUA),
            url,
        ],
        env={**os.environ, "LOAD_TOKEN": token},
        capture_output=True,
        text=True,
        check=True,
    )
    for line in out.stdout.splitlines():
        if line.startswith("LOAD_RESULT "):
            return json.loads(line.removeprefix("LOAD_RESULT "))
    raise SystemExit(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS", "60")))
    p.add_argument("--connections", type=int, default=16, help="concurrent keep-alive clients (wrk -c)")
    p.add_argument("--workers", type=int, default=int(os.environ.get("LOAD_WORKERS", "2")))
    p.add_argument("--threads", type=int, default=int(os.environ.get("LOAD_THREADS", "4")), help="per worker (1: sync)")
    p.add_argument("--warmup", type=int, default=10, help="seconds of unmeasured load before each scenario")
    p.add_argument("--only", default="", help="comma-separated scenario names: " + ",".join(s.name for s in SCENARIOS))
    p.add_argument("--seed-only", action="store_true")
    args = p.parse_args()
    if not shutil.which("wrk") and not args.seed_only:
        raise SystemExit("wrk is not installed (make load installs the Debian package)")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medinsure.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    t = time.perf_counter()
    n = ensure_data()
    log(f"data ready in {time.perf_counter() - t:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in n.items()))
    if n["residents"] < RESIDENTS:
        raise SystemExit(f"the registry holds {n['residents']:,} residents, not {RESIDENTS:,}")
    if args.seed_only:
        return 0
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",")]
    tokens = {s.name: token_of(s.username) for s in scenarios}
    connection.close()  # the runner holds no connection while gunicorn serves

    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads)
    results = []
    try:
        for s in scenarios:
            url = f"http://127.0.0.1:{port}{s.path}"
            # a fresh server's threads each open their database and Redis connections and import lazily
            # on their first requests (seconds on a busy machine): warm up at full concurrency, unmeasured
            wrk(url, tokens[s.name], seconds=args.warmup, connections=args.connections, threads=2)
            load1 = os.getloadavg()[0]
            r = wrk(url, tokens[s.name], seconds=args.seconds, connections=args.connections, threads=2)
            errors = r["non2xx"] + r["socket_errors"]
            ok = r["rps"] >= TARGET_RPS and r["p95_ms"] < TARGET_P95_MS and errors == 0
            results.append((s, r, ok))
            print(
                f"{'PASS' if ok else 'FAIL'}  {s.name:<12} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                f"p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {errors}  "
                f"({r['requests']:,} requests in {r['seconds']:.0f} s; load average before {load1:.2f})  "
                f"GET {s.path}",
                flush=True,
            )
    finally:
        stop(server)
    print(
        f"gunicorn {args.workers} workers × {args.threads} thread(s), wrk -t2 -c{args.connections}, "
        f"{args.seconds} s a scenario; targets ≥ {TARGET_RPS:.0f} req/s, p95 < {TARGET_P95_MS:.0f} ms, 0 errors; "
        f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0 if all(ok for _s, _r, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
