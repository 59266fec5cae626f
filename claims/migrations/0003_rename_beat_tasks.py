"""Tasks are named "claims.<service>" (issue 14): the beat rows django-celery-beat stored under the
old dotted names of the task functions are renamed, both ways."""

from django.db import migrations

RENAMES = {
    "claims.tasks.settlement_import_apply_task": "claims.settlement_import_apply",
    "claims.tasks.recalculation_compute_task": "claims.recalculation_compute",
    "claims.tasks.recalculation_apply_task": "claims.recalculation_apply",
    "claims.tasks.monthly_stats_refresh_task": "claims.monthly_stats_refresh",
}


def _rename(apps, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")  # noqa: N806
    for old, new in mapping.items():
        PeriodicTask.objects.filter(task=old).update(task=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_alter_recalculation_status"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
