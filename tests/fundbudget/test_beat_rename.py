"""The data migration moves stored beat rows from the old dotted task names to the registered ones, and back."""

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from fundbudget.schedule import BEAT_SCHEDULE, TASK_ROUTES
from fundbudget.tasks import warnings_evaluate_task, warnings_refresh_task

pytestmark = pytest.mark.django_db

migration = importlib.import_module("fundbudget.migrations.0003_rename_beat_tasks")


def test_tasks_are_registered_under_the_service_names():
    assert (warnings_evaluate_task.name, warnings_refresh_task.name) == (
        "fundbudget.warnings_evaluate",
        "fundbudget.warnings_refresh",
    )
    assert {e["task"] for e in BEAT_SCHEDULE.values()} == {"fundbudget.warnings_refresh"}
    assert set(TASK_ROUTES) == {"fundbudget.warnings_evaluate", "fundbudget.warnings_refresh"}


def test_beat_rows_renamed_forwards_and_back():
    cron = CrontabSchedule.objects.create(minute="30", hour="2")
    row = PeriodicTask.objects.create(name="refresh", task="fundbudget.tasks.warnings_refresh_task", crontab=cron)
    other = PeriodicTask.objects.create(name="other", task="medinsure.core.outbox_flush", crontab=cron)
    migration.forwards(apps, None)
    row.refresh_from_db(), other.refresh_from_db()
    assert (row.task, other.task) == ("fundbudget.warnings_refresh", "medinsure.core.outbox_flush")
    migration.backwards(apps, None)
    row.refresh_from_db()
    assert row.task == "fundbudget.tasks.warnings_refresh_task"
