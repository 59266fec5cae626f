"""Tasks by name (issue 14): every name the enrollment services queue is a registered task, the beat
schedule and the routes name registered tasks, and no services module imports the tasks module."""

import ast
import re
from pathlib import Path

import pytest

from enrollment import schedule
from medinsure.celery import app

SERVICES = Path(__file__).resolve().parents[2] / "enrollment" / "services"


def _registered() -> set[str]:
    app.loader.import_default_modules()
    return set(app.tasks)


def _queued_names() -> set[str]:
    names = set()
    for path in SERVICES.glob("*.py"):
        names |= set(re.findall(r"enqueue_on_commit\(\s*\"([\w.]+)\"", path.read_text(encoding="utf-8")))
    return names


def test_every_queued_name_is_a_registered_task():
    queued = _queued_names()
    assert {"enrollment.import_validate", "enrollment.import_merge", "enrollment.tasks_sync"} <= queued
    assert queued <= _registered()


def test_the_schedule_names_registered_tasks():
    registered = _registered()
    assert {e["task"] for e in schedule.BEAT_SCHEDULE.values()} <= registered
    assert set(schedule.TASK_ROUTES) <= registered


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.py")), ids=lambda p: p.name)
def test_no_services_module_imports_tasks(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert not {m for m in imported if m == "enrollment.tasks" or m.endswith(".tasks")}
