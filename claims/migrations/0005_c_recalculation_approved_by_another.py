"""Four eyes in the database: an approved or applied recalculation has an approver who is not the
person who started it (issue 15). Added NOT VALID: rows written before this rule (a run its own
starter approved) stay as history; every row written or changed from now on is checked."""

from django.conf import settings
from django.db import migrations, models

CHECK = (
    "(NOT (\"status\" IN ('approved', 'applied')) OR (\"approved_by_id\" IS NOT NULL AND NOT "
    '("approved_by_id" = ("created_by_id") AND "approved_by_id" IS NOT NULL AND "created_by_id" IS NOT NULL)))'
)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_m_entitlement_registers"),
        ("jobs", "0002_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    model_name="recalculation",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["approved", "applied"]), _negated=True),
                            models.Q(
                                ("approved_by__isnull", False),
                                models.Q(("approved_by", models.F("created_by")), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="claims_recalc_approved_by_another",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'ALTER TABLE "claims_recalculation" ADD CONSTRAINT "claims_recalc_approved_by_another" '
                    f"CHECK {CHECK} NOT VALID",
                    reverse_sql='ALTER TABLE "claims_recalculation" DROP CONSTRAINT "claims_recalc_approved_by_another"',
                ),
            ],
        ),
    ]
