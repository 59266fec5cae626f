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
