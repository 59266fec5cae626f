"""Celery: ids and dates in, re-fetch, call the service. Every task is safe to run twice."""

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from supervision import services


def _chunk() -> int:
    return int(getattr(settings, "SUPERVISION_AUDIT_CHUNK_SETTLEMENTS", 5000))


@shared_task
def audit_daily_task(day: str | None = None, job_id: str | None = None) -> dict:
    """日任务: yesterday's new settlements (or the given day's)."""
    d = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    run = services.audit_run(kind="daily", start=d, end=d, job_id=job_id, chunk_settlements=_chunk())
    return {"run": run.pk, "hits": run.hits, "new_flags": run.new_flags}


@shared_task
def audit_monthly_task(month: str | None = None, job_id: str | None = None) -> dict:
    """月任务: the whole of last month (or the given "YYYY-MM")."""
    if month:
        y, m = (int(x) for x in month.split("-"))
        first = date(y, m, 1)
    else:
        first = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    run = services.audit_run(kind="monthly", start=first, end=last, job_id=job_id, chunk_settlements=_chunk())
    return {"run": run.pk, "hits": run.hits, "new_flags": run.new_flags}


@shared_task
def self_inspection_deadline_task(as_of: str | None = None) -> dict:
    """Mark institutions that filed no self-inspection by the deadline as failing."""
    d = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return services.self_inspection_check_deadlines(as_of=d)


@shared_task
def agreements_restore_task(as_of: str | None = None) -> dict:
    """Suspensions that ended: the agreements become active again."""
    d = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return {"restored": services.agreements_restore_expired(as_of=d)}
