"""/healthz: the state of the database, Redis and the Celery worker; 200 when all are up, else 503."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
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


def _check_worker() -> str:
    try:
        replies = celery_app.control.inspect(timeout=1.0).ping() or {}
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"
    return "ok" if replies else "down: no worker answered"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["celery"] = _check_worker() if checks["redis"] == "ok" else "unknown: redis is down"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)

