from celery.schedules import crontab

BEAT_SCHEDULE = {
    "claims-monthly-stats-refresh": {
        "task": "claims.tasks.monthly_stats_refresh_task",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "claims.tasks.settlement_import_apply_task": {"queue": "imports"},
    "claims.tasks.recalculation_compute_task": {"queue": "engine"},
    "claims.tasks.recalculation_apply_task": {"queue": "engine"},
}
