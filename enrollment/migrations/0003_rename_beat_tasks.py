"""Issue 14: the enrollment tasks are registered by name ("enrollment.<service>"), no longer by their
dotted path. The beat rows django-celery-beat keeps in the database are renamed to match, and so are the
outbox rows (medinsure.jobs) recorded under an old name, so that work waiting for the broker, or published
again for a stalled job, finds its task."""

from django.db import migrations

RENAMES = {
    "enrollment.tasks.nightly_task": "enrollment.nightly_refresh",
    "enrollment.tasks.reminders_enqueue_task": "enrollment.reminders_enqueue",
    "enrollment.tasks.reminders_send_task": "enrollment.reminders_send",
    "enrollment.tasks.import_validate_task": "enrollment.import_validate",
    "enrollment.tasks.import_merge_task": "enrollment.import_merge",
    "enrollment.tasks.progress_refresh_task": "enrollment.progress_refresh_debounced",
    "enrollment.tasks.tasks_sync_task": "enrollment.tasks_sync",
}


def _rename(apps, mapping):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    OutboxMessage = apps.get_model("jobs", "OutboxMessage")
    for old, new in mapping.items():
        PeriodicTask.objects.filter(task=old).update(task=new)
        OutboxMessage.objects.filter(task=old).update(task=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0002_import_stage"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("jobs", "0002_outbox"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
