from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Re-evaluate this year's and last year's statements every night: threshold edits and corrected
    # statements of earlier months are reflected even when no new statement arrives. Idempotent.
    "fundbudget-warnings-refresh": {
        "task": "fundbudget.warnings_refresh",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "fundbudget.warnings_evaluate": {"queue": "engine"},
    "fundbudget.warnings_refresh": {"queue": "engine"},
}
