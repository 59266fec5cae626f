from celery import shared_task


@shared_task(name="medinsure.core.ping")
def ping() -> str:
    """A task with no side effects: health checks and the worker test use it."""
    return "pong"


@shared_task(name="medinsure.core.demo_progress")
def demo_progress_task(job_id: str, steps: int) -> None:
    """Advance a job step by step: the smallest long task, used to check the progress machinery."""
    from medinsure.jobs.services import job_finish, job_progress, job_start

    job_start(job_id, total=steps)
    for done in range(1, steps + 1):
        job_progress(job_id, done=done)
    job_finish(job_id, result={"steps": steps})


@shared_task(name="medinsure.core.outbox_flush", ignore_result=True)
def outbox_flush_task() -> int:
    """Publish the outbox rows still pending (the broker was down when their work committed)."""
    from medinsure.core.once import prune
    from medinsure.jobs.outbox import outbox_flush, republish_stale

    republish_stale()  # work whose worker died (or whose message was lost) goes out again
    sent = outbox_flush(min_age_seconds=5)
    prune()  # one-time form tokens older than two days
    return sent


@shared_task(name="medinsure.core.outbox_retention", ignore_result=True)
def outbox_retention_task() -> int:
    """Delete the task messages sent longer ago than MEDINSURE_RETENTION_OUTBOX_DAYS (daily)."""
    from medinsure.jobs.outbox import outbox_retention

    return outbox_retention()


@shared_task(name="medinsure.core.imports_retention", ignore_result=True)
def imports_retention_task() -> dict:
    """Delete raw uploads and error data of imports past MEDINSURE_RETENTION_IMPORT_DAYS (rows stay)."""
    from medinsure.core.imports import imports_retention

    return imports_retention()
