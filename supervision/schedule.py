from celery.schedules import crontab

BEAT_SCHEDULE = {
    "supervision-audit-daily": {"task": "supervision.tasks.audit_daily_task", "schedule": crontab(hour=2, minute=10)},
    "supervision-audit-monthly": {
        "task": "supervision.tasks.audit_monthly_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=10),
    },
    "supervision-agreements-restore": {
        "task": "supervision.tasks.agreements_restore_task",
        "schedule": crontab(hour=0, minute=30),
    },
    "supervision-self-inspection-deadline": {
        "task": "supervision.tasks.self_inspection_deadline_task",
        "schedule": crontab(hour=6, minute=0),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "supervision.tasks.audit_daily_task": {"queue": "audit"},
    "supervision.tasks.audit_monthly_task": {"queue": "audit"},
    "supervision.tasks.self_inspection_deadline_task": {"queue": "reminders"},
}
