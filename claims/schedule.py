from celery.schedules import crontab

BEAT_SCHEDULE = {
    "claims-monthly-stats-refresh": {
        "task": "claims.monthly_stats_refresh",
        "schedule": crontab(hour=2, minute=30),
    },
}

# Which queue each task goes to (the rest go to "default"); merged into CELERY_TASK_ROUTES.
TASK_ROUTES = {
    "claims.settlement_import_apply": {"queue": "imports"},
    "claims.recalculation_compute": {"queue": "engine"},
    "claims.recalculation_apply": {"queue": "engine"},
}
