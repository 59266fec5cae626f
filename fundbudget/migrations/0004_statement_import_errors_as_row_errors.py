"""Issue 14: an import batch's errors are stored as the core's RowError ({line, column, value, message});
batches uploaded before stored {line, field, message}. Rewrite them (and back, on reverse), so the
error report reads every batch the same way."""

from django.db import migrations


def forwards(apps, schema_editor):
    StatementImport = apps.get_model("fundbudget", "StatementImport")
    for batch in StatementImport.objects.exclude(errors=[]).only("id", "errors").iterator():
        if all("column" in e for e in batch.errors):
            continue
        batch.errors = [
            e
            if "column" in e
            else {"line": e.get("line", 0), "column": e.get("field", ""), "value": "", "message": e.get("message", "")}
            for e in batch.errors
        ]
        batch.save(update_fields=["errors"])


def backwards(apps, schema_editor):
    StatementImport = apps.get_model("fundbudget", "StatementImport")
    for batch in StatementImport.objects.exclude(errors=[]).only("id", "errors").iterator():
        batch.errors = [
            {"line": e.get("line", 0), "field": e.get("column", ""), "message": e.get("message", "")}
            if "column" in e
            else e
            for e in batch.errors
        ]
        batch.save(update_fields=["errors"])


class Migration(migrations.Migration):
    dependencies = [("fundbudget", "0003_rename_beat_tasks")]

    operations = [migrations.RunPython(forwards, backwards)]
