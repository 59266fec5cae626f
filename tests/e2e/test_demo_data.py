"""`make run` loads the demo district once: every app's loader runs, and a second run writes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command

from medinsure.accounts.models import Role, User
from medinsure.regions.models import Division

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    skip = {"audit.auditlog", "jobs.job", "sessions.session", "django_celery_beat.periodictask"}
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or model._meta.proxy or not model._meta.managed:
            continue
        counts[label] = model._default_manager.count()
    return counts


def test_load_demo_twice_changes_nothing(tmp_path):
    call_command("load_demo", stdout=open(tmp_path / "first.txt", "w"))
    first = _row_counts()
    assert Division.objects.filter(level="township").count() >= 25
    assert Division.objects.filter(level="village").count() >= 300
    assert {u.role for u in User.objects.all()} == set(Role.values)
    call_command("load_demo", stdout=open(tmp_path / "second.txt", "w"))
    assert _row_counts() == first
