"""Celery: thin wrappers, each named "fundbudget.<service>", that take ids and call the service (safe to run twice)."""

from celery import shared_task

from . import services


@shared_task(name="fundbudget.warnings_evaluate")
def warnings_evaluate_task(statement_id: int) -> int:
    """Evaluate the warning rules for one statement; returns how many warnings it now has."""
    return len(services.warnings_evaluate(statement_id=statement_id))


@shared_task(name="fundbudget.warnings_refresh")
def warnings_refresh_task(year: int | None = None) -> int:
    """Re-evaluate every statement of `year` and the year before (default: the current year)."""
    return services.warnings_refresh(year=year)
