"""Queues come from CELERY_TASK_ROUTES (each app's schedule.py), not from the deprecated task
attribute: every route names a registered task and a declared queue, and the router sends the
heavy work to its own queue."""

from django.conf import settings

from medinsure.celery import QUEUES
from medinsure.celery import app as celery_app


def test_every_route_names_a_real_task_and_a_declared_queue():
    celery_app.loader.import_default_modules()
    assert settings.CELERY_TASK_ROUTES, "no routes merged from the apps' schedule.py"
    for name, route in settings.CELERY_TASK_ROUTES.items():
        assert name in celery_app.tasks, name
        assert route["queue"] in QUEUES, (name, route)


def test_the_router_sends_each_task_to_its_queue():
    route = celery_app.amqp.router.route
    assert route({}, "enrollment.import_merge")["queue"].name == "imports"
    assert route({}, "claims.recalculation_compute")["queue"].name == "engine"
    assert route({}, "supervision.audit_daily")["queue"].name == "audit"
    assert route({}, "replies.reminders_run")["queue"].name == "reminders"
    assert route({}, "claims.monthly_stats_refresh")["queue"].name == "default"
    assert not any(getattr(task, "queue", None) for task in celery_app.tasks.values())  # no deprecated attribute
