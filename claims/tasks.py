"""Celery tasks: ids in, re-fetch, call the service; safe to run twice."""

from celery import shared_task

from claims import services


@shared_task(acks_late=True)
def settlement_import_apply_task(import_id: str) -> dict:
    try:
        return services.settlement_import_apply(import_id=import_id)
    except Exception as exc:
        services.settlement_import_failed(import_id=import_id, message=str(exc))
        raise


@shared_task(acks_late=True)
def recalculation_compute_task(recalculation_id: str) -> dict:
    try:
        return services.recalculation_compute(recalculation_id=recalculation_id)
    except Exception as exc:
        services.recalculation_failed(recalculation_id=recalculation_id, message=str(exc))
        raise


@shared_task(acks_late=True)
def recalculation_apply_task(recalculation_id: str) -> dict:
    try:
        return services.recalculation_apply(recalculation_id=recalculation_id)
    except Exception as exc:
        services.recalculation_failed(recalculation_id=recalculation_id, message=str(exc))
        raise


@shared_task
def monthly_stats_refresh_task(year: int | None = None) -> int:
    """Nightly: rebuild this year's pre-aggregated statistics (imports and recalculations also do)."""
    from django.utils import timezone

    return services.monthly_stats_refresh(year=year or timezone.localdate().year)
