"""/healthz: the state of the database, Redis and the Celery worker; 200 when all are up, else 503."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.backoff import NoBackoff
from redis.retry import Retry

from medinsure.celery import app as celery_app


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # the state is the answer, not an error page
        return f"down: {exc.__class__.__name__}"


def _check_redis() -> str:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        client.ping()
        return "ok"
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"


WORKER_STATE_KEY = "healthz:celery"
WORKER_STATE_SECONDS = 5  # a load balancer polling /healthz must not flood the workers with pings


def _check_worker() -> str:
    state = cache.get(WORKER_STATE_KEY)
    if state is not None:
        return state
    try:
        # limit=1: answer as soon as one worker replies instead of waiting out the timeout
        replies = celery_app.control.ping(timeout=1.0, limit=1)
        state = "ok" if replies else "down: no worker answered"
    except Exception as exc:
        state = f"down: {exc.__class__.__name__}"
    cache.set(WORKER_STATE_KEY, state, WORKER_STATE_SECONDS)
    return state


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["celery"] = _check_worker() if checks["redis"] == "ok" else "unknown: redis is down"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
