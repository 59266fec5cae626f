"""Celery: ids in, call the service, return; each safe to run twice. Each task is named after the service
it calls ("enrollment.<service>"); services queue them by that name (medinsure.celery.enqueue_on_commit)."""

from celery import shared_task

from enrollment import services


@shared_task(name="enrollment.import_validate")
def import_validate_task(batch_id: int) -> None:
    services.import_validate(batch_id=batch_id)


@shared_task(name="enrollment.import_merge")
def import_merge_task(batch_id: int) -> None:
    services.import_merge(batch_id=batch_id)


@shared_task(name="enrollment.progress_refresh_debounced")
def progress_refresh_task(year: int, requested_at: float | None = None) -> int:
    return services.progress_refresh_debounced(year=year, requested_at=requested_at)


@shared_task(name="enrollment.tasks_sync")
def tasks_sync_task(year: int) -> dict:
    return services.tasks_sync(year=year)


@shared_task(name="enrollment.nightly_refresh")
def nightly_task() -> dict:
    return services.nightly_refresh()


@shared_task(name="enrollment.reminders_enqueue")
def reminders_enqueue_task() -> int:
    return services.reminders_enqueue()


@shared_task(name="enrollment.reminders_send")
def reminders_send_task() -> dict:
    return services.reminders_send()
