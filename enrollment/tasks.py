"""Celery: ids in, re-fetch, call the service; each safe to run twice."""

from celery import shared_task


@shared_task
def import_validate_task(batch_id: int) -> None:
    from enrollment.services import import_validate

    import_validate(batch_id=batch_id)


@shared_task
def import_merge_task(batch_id: int) -> None:
    from enrollment.services import import_merge

    import_merge(batch_id=batch_id)


@shared_task
def progress_refresh_task(year: int, requested_at: float | None = None) -> int:
    """Skips when a refresh of the same year started after the request (it already saw the change)."""
    import time

    from django.core.cache import cache

    from enrollment.services import progress_refresh

    key = f"enrollment:progress-started:{year}"
    started = cache.get(key)
    if requested_at is not None and started is not None and started > requested_at:
        return 0
    cache.set(key, time.time(), None)
    return progress_refresh(year=year)


@shared_task
def tasks_sync_task(year: int) -> dict:
    from enrollment.services import tasks_sync

    return tasks_sync(year=year)


@shared_task
def nightly_task() -> dict:
    """Nightly: refresh the to-do lists and the day's progress of the current campaign."""
    from enrollment.selectors import current_campaign
    from enrollment.services import progress_refresh, tasks_sync

    campaign = current_campaign()
    if campaign is None:
        return {}
    result = tasks_sync(year=campaign.year)
    result["progress_rows"] = progress_refresh(year=campaign.year)
    return result


@shared_task
def reminders_enqueue_task() -> int:
    from enrollment.selectors import current_campaign
    from enrollment.services import reminders_enqueue

    campaign = current_campaign()
    return reminders_enqueue(year=campaign.year) if campaign else 0


@shared_task
def reminders_send_task() -> dict:
    from enrollment.services import reminders_send

    return reminders_send()
