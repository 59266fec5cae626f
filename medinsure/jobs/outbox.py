"""A transactional outbox for Celery tasks.

``enqueue`` writes an ``OutboxMessage`` row in the caller's transaction; after commit it publishes the
task at once (a short connect timeout, no kombu retry loop) and marks the row sent. With the broker
down the row stays pending, the related job says it is waiting, and ``outbox_flush`` publishes it
later: when a worker starts (``worker_ready``), on a short beat schedule and from
``manage.py outbox_flush``. Publishing is at least once: the tasks are idempotent.
"""

import contextvars
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medinsure.jobs.models import Job, OutboxMessage

logger = logging.getLogger(__name__)

WAITING_MESSAGE = _("任务队列暂时不可用，任务已登记，恢复后将自动执行")

# Set by QueueNoticeMiddleware for the length of a request: publishes that failed during it, so the
# page that started the work can say it is waiting.
waiting_in_request: contextvars.ContextVar[list | None] = contextvars.ContextVar("outbox_waiting", default=None)


def _connect_timeout() -> float:
    return float(getattr(settings, "OUTBOX_CONNECT_TIMEOUT", 2))


def broker_connection():
    """A fresh broker connection that fails fast: no retry loop, a short connect timeout."""
    from celery import current_app as app  # the project's app (medinsure.celery), without importing it back

    timeout = _connect_timeout()
    return app.connection_for_write(
        settings.CELERY_BROKER_URL,
        connect_timeout=timeout,
        transport_options={"max_retries": 0, "socket_connect_timeout": timeout, "socket_timeout": timeout},
    )


def _route(task_name: str) -> str:
    """The queue CELERY_TASK_ROUTES gives the task ("" = the default queue), kept on the row."""
    route = (settings.CELERY_TASK_ROUTES or {}).get(task_name) or {}
    return route.get("queue", "")


def enqueue(task: str, args=(), kwargs=None, *, job=None, countdown: int | None = None) -> OutboxMessage:
    """Record the task (by its registered name, "<app>.<service>") in the current transaction; publish it
    once the transaction commits."""
    if not isinstance(task, str):
        raise TypeError('enqueue takes the task\'s registered name ("<app>.<service>"), not the task')
    name = task
    message = OutboxMessage.objects.create(
        task=name,
        args=list(args),
        kwargs=dict(kwargs or {}),
        queue=_route(name),
        countdown=countdown,
        job_id=getattr(job, "pk", job),
    )
    transaction.on_commit(lambda: _publish_after_commit(message.pk))
    return message


def _publish_after_commit(message_id: int) -> None:
    """The work is committed whatever happens here: a failure leaves the row for the next flush."""
    try:
        publish_pending(ids=[message_id])
    except Exception:
        logger.exception("outbox: publishing row %s after commit failed; the flush will retry", message_id)


def _publish(conn, row: OutboxMessage) -> None:
    from celery import current_app as app  # the project's app (medinsure.celery), without importing it back

    # by name: the web process publishing it need not have imported the tasks module that defines it
    options = {"retry": False, "ignore_result": True, "connection": conn}
    if row.queue:
        options["queue"] = row.queue
    if row.countdown:
        options["countdown"] = row.countdown
    app.send_task(row.task, args=row.args, kwargs=row.kwargs, **options)


def _mark_waiting(rows: list[OutboxMessage], error: Exception) -> None:
    now = timezone.now()
    for row in rows:
        OutboxMessage.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1, last_error=f"{error.__class__.__name__}: {error}"[:500]
        )
    job_ids = [row.job_id for row in rows if row.job_id]
    if job_ids:
        Job.objects.filter(pk__in=job_ids, status=Job.Status.PENDING).update(
            message=str(WAITING_MESSAGE), updated_at=now
        )
    notices = waiting_in_request.get()
    if notices is not None:
        notices.extend(row.pk for row in rows)


def publish_pending(*, ids: list[int] | None = None, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Publish pending rows (these ids, or every pending row older than ``older_than``); return how
    many were sent. Rows another process is publishing right now are skipped (SKIP LOCKED)."""
    sent = 0
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        if older_than is not None:
            rows = rows.filter(created_at__lte=timezone.now() - older_than)
        rows = list(rows.order_by("id")[:limit])
        if not rows:
            return 0
        try:
            with broker_connection() as conn:
                for row in rows:
                    _publish(conn, row)
                    OutboxMessage.objects.filter(pk=row.pk).update(sent_at=timezone.now(), attempts=row.attempts + 1)
                    if row.job_id:
                        Job.objects.filter(pk=row.job_id, message=str(WAITING_MESSAGE)).update(message="")
                    sent += 1
        except Exception as exc:  # the broker is down: the rows stay and say why
            logger.warning("outbox: %d task(s) not published (%s); they stay queued", len(rows) - sent, exc)
            _mark_waiting(rows[sent:], exc)
    return sent


def outbox_flush(*, min_age_seconds: float = 0) -> int:
    """Publish every pending row (used at worker start, by beat and by the management command)."""
    total = 0
    while True:
        sent = publish_pending(older_than=timedelta(seconds=min_age_seconds))
        total += sent
        if sent < 500:
            return total


STALE_MAX_ATTEMPTS = 5
GAVE_UP_MESSAGE = _("任务多次中断（执行进程退出），已停止自动重试，请联系系统管理员")


def republish_stale(*, stale_after: timedelta | None = None) -> int:
    """Publish again the work whose job shows no sign of life for ``stale_after``: still PENDING
    (the queued message was lost, e.g. Redis restarted empty) or RUNNING without progress (its worker
    died and the broker has not handed the task back). The tasks are idempotent, so a duplicate is
    harmless; after STALE_MAX_ATTEMPTS the job fails with a message instead of looping."""
    if stale_after is None:
        stale_after = timedelta(seconds=int(getattr(settings, "OUTBOX_STALE_JOB_SECONDS", 1800)))
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                sent_at__isnull=False,
                job__status__in=[Job.Status.PENDING, Job.Status.RUNNING],
                job__updated_at__lt=now - stale_after,
            )
            .order_by("id")[:100]
        )
        again = [row for row in rows if row.attempts < STALE_MAX_ATTEMPTS]
        given_up = [row.job_id for row in rows if row.attempts >= STALE_MAX_ATTEMPTS]
        if given_up:
            Job.objects.filter(pk__in=given_up).update(
                status=Job.Status.FAILED, message=str(GAVE_UP_MESSAGE), finished_at=now, updated_at=now
            )
        if again:
            OutboxMessage.objects.filter(pk__in=[row.pk for row in again]).update(sent_at=None)
            # the job waits a whole period again before the next attempt
            Job.objects.filter(pk__in=[row.job_id for row in again]).update(updated_at=now)
    if again:
        logger.warning("outbox: %d stalled task(s) published again", len(again))
        publish_pending(ids=[row.pk for row in again])
    return len(again)


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


LIVE_JOB = (Job.Status.PENDING, Job.Status.RUNNING)


def outbox_retention(*, days: int | None = None, now=None) -> int:
    """Delete the messages sent more than ``days`` ago (``settings.MEDINSURE_RETENTION_OUTBOX_DAYS``):
    the whole row, body (args, kwargs, last error) included, since nothing reads a sent message again —
    except ``republish_stale``, which publishes again the message of a job still pending or running, so
    those rows stay until their job ends. Messages not sent yet (the broker was down, or publishing
    failed) are kept whatever their age: they are work still to do. Returns how many were deleted."""
    if days is None:
        days = int(settings.MEDINSURE_RETENTION_OUTBOX_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = (
        OutboxMessage.objects.filter(sent_at__isnull=False, sent_at__lt=cutoff)
        .exclude(job__status__in=LIVE_JOB)
        .delete()
    )
    if deleted:
        logger.info("outbox: %d message(s) sent before %s deleted (retention %d days)", deleted, cutoff, days)
    return deleted
