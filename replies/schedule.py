from celery.schedules import crontab

BEAT_SCHEDULE = {
    "replies-reminders-daily": {
        "task": "replies.reminders_run",
        "schedule": crontab(hour=8, minute=0),
        "options": {"queue": "reminders"},
    },
    "replies-due-dates-weekly": {
        "task": "replies.due_dates_recompute",
        "schedule": crontab(hour=2, minute=30, day_of_week=1),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "replies.reminders_run": {"queue": "reminders"},
}
