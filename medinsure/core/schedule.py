"""Core periodic tasks (merged into CELERY_BEAT_SCHEDULE by settings)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Tasks recorded while the broker was down are published within half a minute of its return.
    "medinsure-outbox-flush": {"task": "medinsure.core.outbox_flush", "schedule": 30.0},
    # Sent task messages are deleted after MEDINSURE_RETENTION_OUTBOX_DAYS (docs/SECURITY.md, retention).
    "medinsure-outbox-retention": {"task": "medinsure.core.outbox_retention", "schedule": crontab(minute=40, hour=3)},
    # Raw uploads and error data of imports past MEDINSURE_RETENTION_IMPORT_DAYS are deleted nightly.
    "medinsure-imports-retention": {
        "task": "medinsure.core.imports_retention",
        "schedule": crontab(hour=3, minute=17),
    },
}
