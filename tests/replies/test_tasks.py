"""The Celery tasks on a real worker: reminders by the daily batch, and the due dates recomputed after
a year's holiday schedule is entered (queued on commit)."""

import time
from datetime import date

import pytest

from replies import services
from replies.models import Proposal, Reminder
from replies.schedule import BEAT_SCHEDULE
from replies.tasks import reminders_run_task

from .factories import office_user, register

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.service]


def test_beat_schedule_names_real_tasks():
    from medinsure.celery import app

    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_reminders_task_on_a_worker(celery_worker):
    clerk = office_user()
    p = register(clerk, assigned_on=date(2025, 3, 10))
    services.proposal_assign(actor=clerk, proposal_id=p.pk, department="office", drafter=clerk)
    assert reminders_run_task.delay("2025-06-11").get(timeout=60) == {"reminders": 1, "overdue": 1}
    assert reminders_run_task.delay("2025-06-11").get(timeout=60) == {"reminders": 0, "overdue": 0}
    assert Proposal.objects.get(pk=p.pk).overdue
    assert list(Reminder.objects.values_list("level", flat=True)) == ["overdue"]


def test_entering_a_year_recomputes_on_the_worker(celery_worker):
    clerk = office_user()
    p = register(clerk, assigned_on=date(2026, 11, 24))
    assert p.due_provisional
    services.holiday_year_save(actor=clerk, year=2027, holidays=[(date(2027, 2, 24), "春节")], workdays=[])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        p.refresh_from_db()
        if not p.due_provisional:
            break
        time.sleep(0.3)
    assert (p.due_on, p.due_provisional) == (date(2027, 2, 25), False)
