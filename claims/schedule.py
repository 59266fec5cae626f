from celery.schedules import crontab

BEAT_SCHEDULE = {
    "claims-monthly-stats-refresh": {
        "task": "claims.tasks.monthly_stats_refresh_task",
        "schedule": crontab(hour=2, minute=30),
    },
}
