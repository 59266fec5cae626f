from celery.schedules import crontab

BEAT_SCHEDULE = {
    "enrollment-nightly": {"task": "enrollment.tasks.nightly_task", "schedule": crontab(hour=1, minute=30)},
    "enrollment-reminders-enqueue": {
        "task": "enrollment.tasks.reminders_enqueue_task",
        "schedule": crontab(hour=9, minute=0),
    },
    # rate limit: at most ENROLLMENT_REMINDER_RATE_PER_RUN messages every 5 minutes, 08:00-20:59
    "enrollment-reminders-send": {
        "task": "enrollment.tasks.reminders_send_task",
        "schedule": crontab(minute="*/5", hour="8-20"),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "enrollment.tasks.import_validate_task": {"queue": "imports"},
    "enrollment.tasks.import_merge_task": {"queue": "imports"},
    "enrollment.tasks.reminders_enqueue_task": {"queue": "reminders"},
    "enrollment.tasks.reminders_send_task": {"queue": "reminders"},
}
