"""Private helpers the claims services share (not part of the package's interface)."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection


def user_or_none(actor):
    """The actor to store in a ``created_by``/``approved_by`` column (None for a task or a command)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def failure_text(exc: BaseException) -> str:
    """One line for a job's or a row's failure message."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


@contextmanager
def failure_recorded(record, **ids):
    """Run background work; if it raises, ``record(**ids, message=…)`` marks its row and job failed
    before the error goes on to Celery. (A worker that is killed records nothing: its task is
    delivered again and the work resumes.)"""
    try:
        yield
    except Exception as exc:
        record(**ids, message=failure_text(exc))
        raise


def copy_rows(table: str, columns, rows) -> None:
    """COPY rows into a table (inside the caller's transaction)."""

    def cell(v):
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        return v

    buf = io.StringIO()
    writer = csv.writer(buf)
    for r in rows:
        writer.writerow([cell(v) for v in r])
    buf.seek(0)
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)
