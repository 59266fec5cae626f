import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medinsure.settings")

app = Celery("medinsure")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

QUEUES = ("imports", "engine", "audit", "reminders", "default")


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a task once the surrounding transaction commits (never for work that rolled back)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))
