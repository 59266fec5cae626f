"""Celery: thin wrappers that re-fetch by id and call the service (safe to run twice)."""

from celery import shared_task

from . import services


@shared_task
def warnings_evaluate_task(statement_id: int) -> int:
    """Evaluate the warning rules for one statement; returns how many warnings it now has."""
    return len(services.warnings_evaluate(statement_id=statement_id))


@shared_task
def warnings_refresh_task(year: int | None = None) -> int:
    """Re-evaluate every statement of `year` and the year before (default: the current year)."""
    from django.utils import timezone

    from .models import MonthlyStatement

    year = year or timezone.localdate().year
    ids = list(MonthlyStatement.objects.filter(year__in=(year - 1, year)).values_list("pk", flat=True))
    for pk in ids:
        services.warnings_evaluate(statement_id=pk)
    return len(ids)
