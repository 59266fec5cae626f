"""Retention of task messages (issue 15): the outbox's sent messages, bodies and all, are deleted after
MEDINSURE_RETENTION_OUTBOX_DAYS by a named daily beat task; what is not sent yet, and what a live job may
still need published again, is kept."""

from datetime import timedelta

import pytest
from django.utils import timezone

from medinsure.jobs.models import Job, OutboxMessage

pytestmark = pytest.mark.django_db


def _message(*, sent_days_ago=None, job_status=None, last_error="", body="resident 500381199001011234"):
    job = Job.objects.create(kind="demo", title="演示", status=job_status) if job_status else None
    row = OutboxMessage.objects.create(
        task="medinsure.core.ping", args=[body], kwargs={"note": body}, job=job, last_error=last_error
    )
    if sent_days_ago is not None:
        OutboxMessage.objects.filter(pk=row.pk).update(
            sent_at=timezone.now() - timedelta(days=sent_days_ago), attempts=1
        )
    OutboxMessage.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(days=(sent_days_ago or 0) + 40)
    )
    return row.pk


def test_sent_messages_past_the_period_are_deleted_and_the_rest_kept(settings):
    from medinsure.core.tasks import outbox_retention_task

    settings.MEDINSURE_RETENTION_OUTBOX_DAYS = 30
    old_sent = _message(sent_days_ago=31)
    old_sent_job_done = _message(sent_days_ago=45, job_status=Job.Status.DONE)
    old_sent_job_failed = _message(sent_days_ago=45, job_status=Job.Status.FAILED)
    recent = _message(sent_days_ago=29)
    live_job = _message(sent_days_ago=45, job_status=Job.Status.RUNNING)  # republish_stale may need it
    never_sent = _message(last_error="ConnectionError: broker down")  # work still to do, 40 days old
    assert outbox_retention_task.apply().get() == 3
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent, live_job, never_sent}
    assert not OutboxMessage.objects.filter(pk__in=[old_sent, old_sent_job_done, old_sent_job_failed]).exists()
    assert outbox_retention_task.apply().get() == 0  # safe to run twice


def test_the_period_is_a_setting(settings):
    from medinsure.jobs.outbox import outbox_retention

    ten_days = _message(sent_days_ago=10)
    settings.MEDINSURE_RETENTION_OUTBOX_DAYS = 30
    assert outbox_retention() == 0
    settings.MEDINSURE_RETENTION_OUTBOX_DAYS = 7
    assert outbox_retention() == 1
    assert not OutboxMessage.objects.filter(pk=ten_days).exists()


def test_the_default_period_is_thirty_days():
    from django.conf import settings

    assert settings.MEDINSURE_RETENTION_OUTBOX_DAYS == 30  # env MEDINSURE_RETENTION_OUTBOX_DAYS unset in tests


def test_the_flush_no_longer_deletes_on_its_own_clock(settings):
    """The 30-second flush used to drop sent rows after a hard-coded 7 days; retention is one setting now."""
    from medinsure.core.tasks import outbox_flush_task

    settings.MEDINSURE_RETENTION_OUTBOX_DAYS = 30
    eight_days = _message(sent_days_ago=8)
    outbox_flush_task.apply()
    assert OutboxMessage.objects.filter(pk=eight_days).exists()


def test_retention_runs_daily_from_the_beat_schedule(settings):
    from celery.schedules import crontab

    from medinsure.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["medinsure-outbox-retention"]
    assert entry["task"] == "medinsure.core.outbox_retention"
    assert isinstance(entry["schedule"], crontab)
    app.loader.import_default_modules()  # what a worker does at start
    assert "medinsure.core.outbox_retention" in app.tasks


@pytest.mark.django_db(transaction=True)
def test_beat_stores_the_retention_row_like_the_others():
    """django-celery-beat's DatabaseScheduler writes the settings' schedule into its table at start:
    the row beat runs is there without a migration."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from medinsure.celery import app

    DatabaseScheduler(app=app)
    row = PeriodicTask.objects.get(name="medinsure-outbox-retention")
    assert row.task == "medinsure.core.outbox_retention" and row.crontab is not None and row.enabled
    assert (row.crontab.minute, row.crontab.hour) == ("40", "3")
