"""Tasks by name (issue 14): the beat rows follow the new names, the month arithmetic of the monthly
run lives in the service, and no services module imports the tasks module."""

import ast
import importlib
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps

from supervision.services.audit import AUDIT_DAILY, AUDIT_MONTHLY, _month_bounds

RENAMES = importlib.import_module("supervision.migrations.0004_rename_beat_tasks")


@pytest.mark.parametrize(
    ("month", "today", "bounds"),
    [
        ("2024-02", date(2030, 1, 1), (date(2024, 2, 1), date(2024, 2, 29))),
        ("2023-12", date(2030, 1, 1), (date(2023, 12, 1), date(2023, 12, 31))),
        (None, date(2024, 1, 15), (date(2023, 12, 1), date(2023, 12, 31))),
        (None, date(2024, 3, 1), (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_month_bounds(month, today, bounds):
    assert _month_bounds(month, today=today) == bounds


@pytest.mark.django_db
def test_beat_rows_are_renamed_and_back():
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    cron = CrontabSchedule.objects.create(minute="10", hour="2")
    PeriodicTask.objects.create(name="daily", task="supervision.tasks.audit_daily_task", crontab=cron)
    PeriodicTask.objects.create(name="other", task="replies.reminders_run", crontab=cron)
    RENAMES.forwards(apps, None)
    assert dict(PeriodicTask.objects.filter(name__in=["daily", "other"]).values_list("name", "task")) == {
        "daily": "supervision.audit_daily",
        "other": "replies.reminders_run",
    }
    RENAMES.backwards(apps, None)
    assert PeriodicTask.objects.get(name="daily").task == "supervision.tasks.audit_daily_task"


def test_every_new_name_is_a_registered_task_and_services_never_import_tasks():
    from medinsure.celery import app

    app.loader.import_default_modules()
    for new in [*RENAMES.RENAMES.values(), AUDIT_DAILY, AUDIT_MONTHLY]:
        assert new in app.tasks, new
    root = Path(__file__).resolve().parents[2] / "supervision" / "services"
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any(n == "supervision.tasks" or n.endswith(".tasks") for n in names), path
