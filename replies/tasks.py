"""Celery: thin, idempotent; ids in, the service does the work."""

from datetime import date

from celery import shared_task
from django.utils import timezone


@shared_task(name="replies.reminders_run")
def reminders_run_task(as_of: str | None = None) -> dict:
    """Daily: reminders before the due date, the overdue mark after it, commitments' reminders."""
    from replies.services import reminders_run

    return reminders_run(as_of=date.fromisoformat(as_of) if as_of else timezone.localdate())


@shared_task(name="replies.due_dates_recompute")
def due_dates_recompute_task() -> int:
    """After a year's holiday schedule is entered: recompute the open cases' due dates."""
    from replies.services import due_dates_recompute

    return due_dates_recompute()
