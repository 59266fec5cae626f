"""Seed the catalogue of handling items and the chronic diseases (fixtures/handling/*.yaml)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from handling.catalogue import load

    load(apps.get_model("handling", "HandlingItem"), apps.get_model("handling", "Disease"))


class Migration(migrations.Migration):
    dependencies = [("handling", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
