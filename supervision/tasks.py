"""Celery: ids and dates in, call the service, return. Every task is named "supervision.<service>"
(services queue work by that name) and is safe to run twice."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from supervision import services


@shared_task(name="supervision.audit_daily")
def audit_daily_task(day: str | None = None, job_id: str | None = None) -> dict:
    """日任务: yesterday's new settlements (or the given day's)."""
    run = services.audit_daily(day=date.fromisoformat(day) if day else None, job_id=job_id)
    return {"run": run.pk, "hits": run.hits, "new_flags": run.new_flags}


@shared_task(name="supervision.audit_monthly")
def audit_monthly_task(month: str | None = None, job_id: str | None = None) -> dict:
    """月任务: the whole of last month (or the given "YYYY-MM")."""
    run = services.audit_monthly(month=month, job_id=job_id)
    return {"run": run.pk, "hits": run.hits, "new_flags": run.new_flags}


@shared_task(name="supervision.self_inspection_check_deadlines")
def self_inspection_deadline_task(as_of: str | None = None) -> dict:
    """Mark institutions that filed no self-inspection by the deadline as failing."""
    return services.self_inspection_check_deadlines(as_of=date.fromisoformat(as_of) if as_of else timezone.localdate())


@shared_task(name="supervision.agreements_restore_expired")
def agreements_restore_task(as_of: str | None = None) -> dict:
    """Suspensions that ended: the agreements become active again."""
    d = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return {"restored": services.agreements_restore_expired(as_of=d)}
