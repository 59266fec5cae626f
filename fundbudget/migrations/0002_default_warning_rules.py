"""The domain page's default thresholds, kept as data the fund department may edit."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("current_deficit", "lt", "0", "orange"),
    ("months_payable_low", "lt", "3", "red"),
    ("months_payable_low", "lt", "6", "orange"),
    ("months_payable_high", "gt", "15", "yellow"),
    ("expenditure_outpacing_income", "gt", "5", "yellow"),
    ("expenditure_outpacing_income", "gt", "15", "orange"),
    ("execution_ahead_of_time", "gt", "10", "yellow"),
    ("execution_ahead_of_time", "gt", "20", "orange"),
]


def add_defaults(apps, schema_editor):
    WarningRule = apps.get_model("fundbudget", "WarningRule")
    for indicator, comparison, threshold, level in DEFAULTS:
        WarningRule.objects.get_or_create(
            indicator=indicator, level=level, defaults={"comparison": comparison, "threshold": Decimal(threshold)}
        )


class Migration(migrations.Migration):
    dependencies = [("fundbudget", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
