"""Claims' tasks are named "claims.<service>"; the beat rows stored under the old dotted names are
renamed by migration 0003 (and back)."""

import importlib

import pytest
from django.apps import apps

from claims import schedule
from medinsure.celery import app as celery_app

migration = importlib.import_module("claims.migrations.0003_rename_beat_tasks")


def test_scheduled_and_routed_names_are_registered_tasks():
    celery_app.loader.import_default_modules()
    names = {e["task"] for e in schedule.BEAT_SCHEDULE.values()} | set(schedule.TASK_ROUTES)
    assert names == {
        "claims.monthly_stats_refresh",
        "claims.settlement_import_apply",
        "claims.recalculation_compute",
        "claims.recalculation_apply",
    }
    assert names <= set(celery_app.tasks)


@pytest.mark.django_db
def test_beat_rows_are_renamed_both_ways():
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    cron = CrontabSchedule.objects.create(minute="30", hour="2")
    PeriodicTask.objects.create(name="claims-old", task="claims.tasks.monthly_stats_refresh_task", crontab=cron)
    PeriodicTask.objects.create(name="other", task="enrollment.tasks.nightly_task", crontab=cron)
    migration.forwards(apps, None)
    assert PeriodicTask.objects.get(name="claims-old").task == "claims.monthly_stats_refresh"
    assert PeriodicTask.objects.get(name="other").task == "enrollment.tasks.nightly_task"
    migration.backwards(apps, None)
    assert PeriodicTask.objects.get(name="claims-old").task == "claims.tasks.monthly_stats_refresh_task"
