"""Issue 14: the tasks are registered as "fundbudget.<service>"; beat rows stored under the old dotted
names would name a task no worker knows. Rename them (and back, on reverse)."""

from django.db import migrations
from django.utils import timezone

RENAMES = {
    "fundbudget.tasks.warnings_refresh_task": "fundbudget.warnings_refresh",
    "fundbudget.tasks.warnings_evaluate_task": "fundbudget.warnings_evaluate",
}


def _rename(apps, mapping: dict[str, str]) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    changed = 0
    for old, new in mapping.items():
        changed += PeriodicTask.objects.filter(task=old).update(task=new)
    if changed:  # the DatabaseScheduler reloads its entries when this stamp moves
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("fundbudget", "0002_default_warning_rules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
