"""Issue 14: every task has an explicit name "supervision.<service>"; the beat rows that
django-celery-beat stored under the old dotted names follow (and go back on reverse)."""

from django.db import migrations

RENAMES = {
    "supervision.tasks.audit_daily_task": "supervision.audit_daily",
    "supervision.tasks.audit_monthly_task": "supervision.audit_monthly",
    "supervision.tasks.agreements_restore_task": "supervision.agreements_restore_expired",
    "supervision.tasks.self_inspection_deadline_task": "supervision.self_inspection_check_deadlines",
}


def _rename(apps, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in mapping.items():
        PeriodicTask.objects.filter(task=old).update(task=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_split_admission_rule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
