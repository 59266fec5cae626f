"""Celery: thin wrappers that re-fetch by id and call the service (safe to run twice)."""

from celery import shared_task

from . import services


@shared_task(queue="engine")
def warnings_evaluate_task(statement_id: int) -> int:
    """Evaluate the warning rules for one statement; returns how many warnings it now has."""
    return len(services.warnings_evaluate(statement_id=statement_id))
