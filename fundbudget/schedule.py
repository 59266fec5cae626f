from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Re-evaluate this year's and last year's statements every night: threshold edits and corrected
    # statements of earlier months are reflected even when no new statement arrives. Idempotent.
    "fundbudget-warnings-refresh": {
        "task": "fundbudget.tasks.warnings_refresh_task",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "fundbudget.tasks.warnings_evaluate_task": {"queue": "engine"},
    "fundbudget.tasks.warnings_refresh_task": {"queue": "engine"},
}
