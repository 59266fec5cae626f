"""The outbox and the fail-soft cache on their own: what waits is published once, a rolled-back
transaction publishes nothing, the cache answers misses while Redis is down and works again after."""

import json
import uuid

import pytest
import redis
from django.core.cache import caches
from django.core.management import call_command
from django.db import transaction

from medinsure.celery import enqueue_on_commit
from medinsure.jobs.models import Job, OutboxMessage
from medinsure.jobs.outbox import WAITING_MESSAGE
from medinsure.jobs.services import job_create

pytestmark = [pytest.mark.service]


def _queued(own_redis, queue="default") -> list[dict]:
    client = redis.Redis.from_url(own_redis.url)
    return [json.loads(raw) for raw in client.lrange(queue, 0, -1)]


@pytest.mark.django_db
def test_what_waited_is_published_once_by_the_command(own_redis, django_capture_on_commit_callbacks, capsys):
    own_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(actor=None, kind="demo", title="演示进度", total=3)
        enqueue_on_commit("medinsure.core.demo_progress", str(job.pk), 3, job=job)
    row = OutboxMessage.objects.get()
    assert row.sent_at is None and row.attempts == 1 and "Connection" in row.last_error
    assert (row.task, row.args, row.queue, row.job_id) == ("medinsure.core.demo_progress", [str(job.pk), 3], "", job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.message == str(WAITING_MESSAGE)

    call_command("outbox_flush")  # still down: nothing lost, nothing sent
    assert "published 0, still pending 1" in capsys.readouterr().out
    assert OutboxMessage.objects.get().attempts == 2

    own_redis.start()
    call_command("outbox_flush")
    assert "published 1, still pending 0" in capsys.readouterr().out
    call_command("outbox_flush")  # a second flush publishes nothing again
    assert "published 0, still pending 0" in capsys.readouterr().out
    messages = _queued(own_redis)
    assert len(messages) == 1 and messages[0]["headers"]["task"] == "medinsure.core.demo_progress"
    row.refresh_from_db()
    job.refresh_from_db()
    assert row.sent_at is not None and job.message == ""


@pytest.mark.django_db
def test_published_at_once_when_redis_is_up_and_never_for_a_rollback(own_redis, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue_on_commit("medinsure.core.demo_progress", "a", 1)
    with pytest.raises(RuntimeError):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                enqueue_on_commit("medinsure.core.demo_progress", "b", 1)
                raise RuntimeError("the work failed")
    assert list(OutboxMessage.objects.values_list("args", flat=True)) == [["a", 1]]
    assert OutboxMessage.objects.get().sent_at is not None
    assert [m["headers"]["argsrepr"] for m in _queued(own_redis)] == ["['a', 1]"]


def test_the_flush_runs_on_a_short_beat_schedule(settings):
    from medinsure.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["medinsure-outbox-flush"]
    assert entry["task"] == "medinsure.core.outbox_flush" and entry["schedule"] <= 60
    app.loader.import_default_modules()  # what a worker does at start
    assert "medinsure.core.outbox_flush" in app.tasks


@pytest.mark.django_db
def test_the_cache_answers_misses_while_redis_is_down(own_redis, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "medinsure.core.cache.FailSoftRedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"DOWN_BACKOFF_SECONDS": 0},
        }
    }
    cache = caches["default"]
    cache.set("k", "v")
    own_redis.stop()
    assert cache.get("k", "default") == "default"
    cache.set("k", "w")  # skipped, no error
    assert cache.add("n", 1) is False and cache.get_many(["k", "n"]) == {} and cache.delete("k") is False
    with pytest.raises(ValueError):
        cache.incr("n")
    assert cache.get_or_set("x", 5) == 5
    own_redis.start()  # an empty Redis (no persistence): the cache works again at once
    cache.set("k", "again")
    assert cache.get("k") == "again"
    assert cache.add("n", 1) and cache.incr("n") == 2


@pytest.mark.django_db
def test_a_second_post_while_the_first_still_runs_is_told_to_wait(divisions, make_user, client, monkeypatch):
    from medinsure.core import once
    from medinsure.core.models import FormSubmission

    user = make_user("supervision")
    client.force_login(user)
    token = str(uuid.uuid4())
    FormSubmission.objects.create(owner=str(user.pk), token=token, path="/supervision/cases/new/")
    monkeypatch.setattr(once, "WAIT_SECONDS", 0.3)
    response = client.post("/supervision/cases/new/", {"summary": "x", "_form_token": token})
    assert response.status_code == 409 and "请勿重复提交" in response.content.decode()


@pytest.mark.django_db
def test_work_of_a_job_without_sign_of_life_goes_out_again_then_gives_up(own_redis, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from medinsure.jobs.outbox import GAVE_UP_MESSAGE, STALE_MAX_ATTEMPTS, republish_stale

    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(actor=None, kind="demo", title="演示进度", total=3)
        enqueue_on_commit("medinsure.core.demo_progress", str(job.pk), 3, job=job)
        fresh = job_create(actor=None, kind="demo", title="演示进度", total=3)
        enqueue_on_commit("medinsure.core.demo_progress", str(fresh.pk), 3, job=fresh)
    assert len(_queued(own_redis)) == 2
    # the worker took the first one, reported progress, and died an hour ago
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, done=1, updated_at=timezone.now() - timedelta(hours=1)
    )
    assert republish_stale(stale_after=timedelta(minutes=30)) == 1
    assert len(_queued(own_redis)) == 3
    row = OutboxMessage.objects.get(job=job)
    assert row.sent_at is not None and row.attempts == 2
    assert republish_stale(stale_after=timedelta(minutes=30)) == 0  # not again before another period
    # a task that keeps killing its worker is not sent for ever
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=STALE_MAX_ATTEMPTS)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert republish_stale(stale_after=timedelta(minutes=30)) == 0
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == str(GAVE_UP_MESSAGE)
    assert Job.objects.get(pk=fresh.pk).status == Job.Status.PENDING and len(_queued(own_redis)) == 3
