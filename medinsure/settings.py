"""One settings module; every deployment choice is read from the environment.

Without DATABASE_URL / REDIS_URL the embedded PostgreSQL and Redis under var/ are used
(medinsure/embedded.py), so a fresh clone runs with one command.
"""

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab  # noqa: F401  (used by the apps' schedule modules)
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "insecure-development-key-only-for-the-embedded-demo"
SECRET_KEY = env("DJANGO_SECRET_KEY") or (_DEV_SECRET if env_bool("MEDINSURE_DEV", True) else None)
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set in production (MEDINSURE_DEV=0)")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "captcha",
    # the shared core
    "medinsure.core",
    "medinsure.regions",
    "medinsure.accounts",
    "medinsure.audit",
    "medinsure.jobs",
    "medinsure.institutions",
    # business areas, in dependency order
    "enrollment",
    "claims",
    "handling",
    "supervision",
    "fundbudget",
    "replies",
]
BUSINESS_APPS = ["enrollment", "claims", "handling", "supervision", "fundbudget", "replies"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "medinsure.core.middleware.RequestSizeLimitMiddleware",
    "medinsure.core.middleware.QueryParamsGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "medinsure.audit.middleware.AuditContextMiddleware",  # the request's IP and path on every audit row
    "medinsure.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "medinsure.jobs.middleware.QueueNoticeMiddleware",  # "the job is waiting" when Redis is down
    "medinsure.core.once.OnceFormMiddleware",  # a double-submitted form creates one record
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "medinsure.urls"
WSGI_APPLICATION = "medinsure.wsgi.application"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "medinsure.core.context_processors.navigation",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------
if env("DATABASE_URL"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60)}
else:
    from medinsure import embedded

    DATABASES = {"default": {**embedded.postgres_settings(), "CONN_MAX_AGE": 60}}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")} if env("TEST_DATABASE_NAME") else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- redis: cache and Celery broker ------------------------------------------------------------
def _redis_db_of_test_process(url: str) -> str:
    """`make test` runs the suite in several processes (pytest-xdist sets PYTEST_XDIST_WORKER to gw0,
    gw1, …); each has its own test database, and here its own Redis database, so one process's Celery
    worker never takes another's task and their caches never meet. Outside the tests: unchanged."""
    worker = env("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from urllib.parse import urlsplit, urlunsplit

    n = int(worker.removeprefix("gw") or 0)
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        db = int(parts.path.strip("/") or 0)
        return urlunsplit(parts._replace(path=f"/{(db + n) % 16}"))
    key = "virtual_host" if parts.scheme == "redis+socket" else "db"  # kombu's socket URL / redis-py's
    return f"{url}{'&' if parts.query else '?'}{key}={n}"  # (urlunsplit would drop the empty host's //)


if env("REDIS_URL"):
    REDIS_URL = _redis_db_of_test_process(env("REDIS_URL"))
    CELERY_BROKER_URL = REDIS_URL
else:
    from medinsure import embedded

    REDIS_URL = _redis_db_of_test_process(embedded.redis_url())
    CELERY_BROKER_URL = _redis_db_of_test_process(embedded.celery_broker_url())
# Fails soft: with Redis down a cache read is a miss, so pages still render (medinsure/core/cache.py).
CACHES = {"default": {"BACKEND": "medinsure.core.cache.FailSoftRedisCache", "LOCATION": REDIS_URL}}

CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = "default"
# One named queue per kind of work, so each scales on its own (docs/ARCHITECTURE.md). Declared, so that
# purge and the worker's -Q know all of them.
CELERY_TASK_QUEUES = [Queue(name) for name in ("imports", "engine", "audit", "reminders", "default")]
CELERY_TASK_ACKS_LATE = True  # a worker that dies half-way leaves the task for the next one
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An unacknowledged task (its worker was killed) goes back to the queue after this many seconds;
# workers look for such tasks every few seconds (kombu's default sweep is only every 100 s).
_VISIBILITY_TIMEOUT = int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 2)),
    "unacked_restore_throttle": 1,
}
# Tasks go through the outbox (medinsure/jobs/outbox.py): a publish tries once, this long at most.
OUTBOX_CONNECT_TIMEOUT = float(env("OUTBOX_CONNECT_TIMEOUT", "2"))
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = False


def _from_app_schedules(name: str) -> dict:
    """Merge a dict each app declares in <app>/schedule.py (BEAT_SCHEDULE, TASK_ROUTES)."""
    import importlib

    merged: dict = {}
    for app in ["medinsure.core", *BUSINESS_APPS]:
        try:
            module = importlib.import_module(f"{app}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.schedule":
                raise
            continue
        merged.update(getattr(module, name, {}))
    return merged


CELERY_BEAT_SCHEDULE = _from_app_schedules("BEAT_SCHEDULE")
CELERY_TASK_ROUTES = _from_app_schedules("TASK_ROUTES")

# --- authentication and sessions -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
# Lock the account, not the address: an intranet office shares one address behind its gateway.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "medinsure.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "medinsure.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "medinsure.core.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "public_report": "5/hour", "token": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "medinsure API",
    "DESCRIPTION": "区县医疗保障局业务平台 — statistics and operations for REST clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set that more than one serializer uses (the schema stays warning-free).
    "ENUM_NAME_OVERRIDES": {
        "CaseSourceEnum": "supervision.models.CaseSource",
        "CaseStatusEnum": "supervision.models.CaseStatus",
        "ProposalStatusEnum": "replies.models.Status",
        "ProposalKindEnum": "replies.models.Kind",
        "VisitKindEnum": "claims.models.Kind",
        "WarningLevelEnum": "fundbudget.models.Level",
    },
}

# --- language, time ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# The portal's name in the page header, e.g. "重庆市江津区医疗保障局业务平台"; empty: a generic name.
PORTAL_NAME = env("PORTAL_NAME", "")

# --- static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from it after collectstatic
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("STATIC_MANIFEST", False)
# Uploaded files (evidence, import files) live outside the web root and are served only by views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
PRIVATE_FILES_ROOT = Path(env("PRIVATE_FILES_ROOT", str(BASE_DIR / "var" / "private")))
# `make backup` writes the database dump and an archive of the private files here.
BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Upload guard (medinsure/core/uploads.py): size limit per kind of upload, zip-bomb limits for
# .xlsx/.docx, and the whole request's size (an oversized request gets a Chinese 413 page/JSON).
MB = 1024 * 1024
UPLOAD_MAX_BYTES = {
    "enrollment_import": int(env("UPLOAD_MAX_ENROLLMENT_IMPORT", str(200 * MB))),
    "claims_settlements": int(env("UPLOAD_MAX_CLAIMS_SETTLEMENTS", str(200 * MB))),
    "claims_visits": int(env("UPLOAD_MAX_CLAIMS_VISITS", str(20 * MB))),
    "supervision_institutions": int(env("UPLOAD_MAX_SUPERVISION_INSTITUTIONS", str(10 * MB))),
    "supervision_evidence": int(env("UPLOAD_MAX_SUPERVISION_EVIDENCE", str(20 * MB))),
    "fundbudget_statement": int(env("UPLOAD_MAX_FUNDBUDGET_STATEMENT", str(5 * MB))),
    "replies_list": int(env("UPLOAD_MAX_REPLIES_LIST", str(10 * MB))),
}
UPLOAD_ZIP_MAX_MEMBERS = int(env("UPLOAD_ZIP_MAX_MEMBERS", "2000"))
UPLOAD_ZIP_MAX_UNCOMPRESSED = int(env("UPLOAD_ZIP_MAX_UNCOMPRESSED", str(500 * MB)))
UPLOAD_ZIP_MAX_RATIO = int(env("UPLOAD_ZIP_MAX_RATIO", "200"))
REQUEST_MAX_BYTES = int(env("REQUEST_MAX_BYTES", str(max(UPLOAD_MAX_BYTES.values()) + 2 * MB)))
FUNDBUDGET_STATEMENT_MAX_ROWS = int(env("FUNDBUDGET_STATEMENT_MAX_ROWS", "2000"))
# A filter value in a query string longer than this, or holding control characters, gets a 400.
QUERY_PARAM_MAX_LENGTH = int(env("QUERY_PARAM_MAX_LENGTH", "1000"))

# --- outside channels (behind interfaces, a local channel by default) -----------------------
SMS_CHANNEL = env("SMS_CHANNEL", "file")  # file | console | http
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", "")
SMS_OUTBOX_DIR = Path(env("SMS_OUTBOX_DIR", str(BASE_DIR / "var" / "outbox")))
# Enrollment: imports above these sizes run in Celery with a progress bar; reminders per beat run.
ENROLLMENT_IMPORT_SYNC_MAX_BYTES = int(env("ENROLLMENT_IMPORT_SYNC_MAX_BYTES", str(2_000_000)))
ENROLLMENT_IMPORT_SYNC_MAX_ROWS = int(env("ENROLLMENT_IMPORT_SYNC_MAX_ROWS", "20000"))
ENROLLMENT_REMINDER_RATE_PER_RUN = int(env("ENROLLMENT_REMINDER_RATE_PER_RUN", "200"))
ENROLLMENT_REMINDER_MAX_ATTEMPTS = int(env("ENROLLMENT_REMINDER_MAX_ATTEMPTS", "5"))
ENROLLMENT_PROGRESS_DEBOUNCE_SECONDS = int(env("ENROLLMENT_PROGRESS_DEBOUNCE_SECONDS", "5"))
# Long work goes in chunks, each committed on its own: a worker that dies loses one chunk at most.
CLAIMS_RECALC_CHUNK_PERSONS = int(env("CLAIMS_RECALC_CHUNK_PERSONS", "5000"))
SUPERVISION_AUDIT_CHUNK_SETTLEMENTS = int(env("SUPERVISION_AUDIT_CHUNK_SETTLEMENTS", "5000"))
# Replies: the office that signs letters (落款), e.g. "重庆市江津区医疗保障局".
REPLIES_ISSUING_OFFICE = env("REPLIES_ISSUING_OFFICE", "")
# Key for personal data encrypted at rest (whistle-blowers' identities). Production sets its own.
# The development key below only protects the embedded demo; production (MEDINSURE_DEV=0) must set its own.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY") or (
    "MQa-dYX2TMRXUKpMlFqeUq8h6eQFHw58xXCYOAVEmlo=" if env_bool("MEDINSURE_DEV", True) else None
)
if not FIELD_ENCRYPTION_KEY:
    raise RuntimeError("FIELD_ENCRYPTION_KEY must be set in production (MEDINSURE_DEV=0)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
