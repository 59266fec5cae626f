"""Celery tasks, each named "claims.<service>": ids in, call the service, return. The services
re-fetch their rows, are safe to run twice and mark their work failed if it raises."""

from celery import shared_task

from claims import services


@shared_task(name="claims.settlement_import_apply", acks_late=True)
def settlement_import_apply_task(import_id: str) -> dict:
    return services.settlement_import_apply(import_id=import_id)


@shared_task(name="claims.recalculation_compute", acks_late=True)
def recalculation_compute_task(recalculation_id: str) -> dict:
    return services.recalculation_compute(recalculation_id=recalculation_id)


@shared_task(name="claims.recalculation_apply", acks_late=True)
def recalculation_apply_task(recalculation_id: str) -> dict:
    return services.recalculation_apply(recalculation_id=recalculation_id)


@shared_task(name="claims.monthly_stats_refresh")
def monthly_stats_refresh_task(year: int | None = None) -> int:
    """Nightly: rebuild this year's pre-aggregated statistics (imports and recalculations also do)."""
    return services.monthly_stats_refresh(year=year)
