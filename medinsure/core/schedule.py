"""Core periodic tasks (merged into CELERY_BEAT_SCHEDULE by settings)."""

BEAT_SCHEDULE = {
    # Tasks recorded while the broker was down are published within half a minute of its return.
    "medinsure-outbox-flush": {"task": "medinsure.core.outbox_flush", "schedule": 30.0},
}
