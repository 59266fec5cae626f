import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medinsure.settings")

app = Celery("medinsure")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

QUEUES = ("imports", "engine", "audit", "reminders", "default")

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: str, *args, job=None, countdown: int | None = None, **kwargs) -> None:
    """Queue the task named ``task`` ("<app>.<service>", the name its ``@shared_task(name=…)`` declares)
    once the surrounding transaction commits (never for work that rolled back). Services enqueue by
    name and never import a tasks module.

    The task is recorded in the outbox in the same transaction (medinsure.jobs.outbox): if the broker
    is down at commit, it is published when the broker is back, and ``job`` (if given) says so.
    """
    from medinsure.jobs.outbox import enqueue

    enqueue(task, args, kwargs, job=job, countdown=countdown)


@worker_ready.connect
def _flush_outbox_on_worker_start(**_kwargs) -> None:
    """Tasks recorded while the broker was down are published as soon as a worker is up."""
    from medinsure.jobs.outbox import outbox_flush

    try:
        sent = outbox_flush()
        if sent:
            logger.warning("outbox: published %d task(s) recorded while the broker was down", sent)
    except Exception:  # a worker must start even if the database is briefly away
        logger.exception("outbox: flush at worker start failed")
