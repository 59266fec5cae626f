from celery.schedules import crontab

BEAT_SCHEDULE = {
    "supervision-audit-daily": {"task": "supervision.audit_daily", "schedule": crontab(hour=2, minute=10)},
    "supervision-audit-monthly": {
        "task": "supervision.audit_monthly",
        "schedule": crontab(day_of_month=1, hour=3, minute=10),
    },
    "supervision-agreements-restore": {
        "task": "supervision.agreements_restore_expired",
        "schedule": crontab(hour=0, minute=30),
    },
    "supervision-self-inspection-deadline": {
        "task": "supervision.self_inspection_check_deadlines",
        "schedule": crontab(hour=6, minute=0),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "supervision.audit_daily": {"queue": "audit"},
    "supervision.audit_monthly": {"queue": "audit"},
    "supervision.self_inspection_check_deadlines": {"queue": "reminders"},
}
