"""/healthz and a real Celery worker running a task end to end."""

import pytest
from django.core.cache import cache

from medinsure.core.health import WORKER_STATE_KEY
from medinsure.core.tasks import ping
from medinsure.jobs.models import Job
from medinsure.jobs.services import job_create

pytestmark = [pytest.mark.service]


@pytest.fixture(autouse=True)
def _fresh_worker_state():
    cache.delete(WORKER_STATE_KEY)
    yield
    cache.delete(WORKER_STATE_KEY)


@pytest.mark.django_db(transaction=True)
def test_healthz_is_200_with_everything_up(client, celery_worker):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "celery": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_with_redis_unreachable(client, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/no-such-redis.sock"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["redis"].startswith("down")


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["celery"].startswith("down")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_end_to_end(celery_worker):
    assert ping.delay().get(timeout=20) == "pong"


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_on_commit_updates_job_progress(celery_worker, django_user_model):
    from django.db import transaction

    from medinsure.celery import enqueue_on_commit

    with transaction.atomic():
        job = job_create(actor=None, kind="demo", title="演示进度", total=3)
        enqueue_on_commit("medinsure.core.demo_progress", str(job.pk), 3)
    import time

    for _ in range(100):
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.1)
    assert job.status == Job.Status.DONE and job.done == 3 and job.percent == 100
