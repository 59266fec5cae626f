from celery.schedules import crontab

BEAT_SCHEDULE = {
    "enrollment-nightly": {"task": "enrollment.nightly_refresh", "schedule": crontab(hour=1, minute=30)},
    "enrollment-reminders-enqueue": {
        "task": "enrollment.reminders_enqueue",
        "schedule": crontab(hour=9, minute=0),
    },
    # rate limit: at most ENROLLMENT_REMINDER_RATE_PER_RUN messages every 5 minutes, 08:00-20:59
    "enrollment-reminders-send": {
        "task": "enrollment.reminders_send",
        "schedule": crontab(minute="*/5", hour="8-20"),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "enrollment.import_validate": {"queue": "imports"},
    "enrollment.import_merge": {"queue": "imports"},
    "enrollment.reminders_enqueue": {"queue": "reminders"},
    "enrollment.reminders_send": {"queue": "reminders"},
}
