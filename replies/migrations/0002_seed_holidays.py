from django.db import migrations


def forwards(apps, schema_editor):
    from replies.holidays import seed

    seed(apps.get_model("replies", "HolidayYear"), apps.get_model("replies", "HolidayDay"))


class Migration(migrations.Migration):
    dependencies = [("replies", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
