"""Celery: thin, idempotent; each task is named "replies.<service>", takes ids (or a date) and calls the service.
Services queue these by name (medinsure.celery.enqueue_on_commit) and never import this module."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from replies import services


@shared_task(name="replies.reminders_run")
def reminders_run_task(as_of: str | None = None) -> dict:
    """Daily: reminders before the due date, the overdue mark after it, commitments' reminders."""
    return services.reminders_run(as_of=date.fromisoformat(as_of) if as_of else timezone.localdate())


@shared_task(name="replies.due_dates_recompute")
def due_dates_recompute_task() -> int:
    """After a year's holiday schedule is entered: recompute the open cases' due dates."""
    return services.due_dates_recompute()
