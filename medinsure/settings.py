"""One settings module; every deployment choice is read from the environment.

Without DATABASE_URL / REDIS_URL the embedded PostgreSQL and Redis under var/ are used
(medinsure/embedded.py), so a fresh clone runs with one command.
"""

import os
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab  # noqa: F401  (used by the apps' schedule modules)
from django.core.exceptions import ImproperlyConfigured
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
# Production unless told otherwise. The one exception is the embedded demo: a clone run with no
# DATABASE_URL uses the PostgreSQL under var/ (medinsure/embedded.py) and is development by nature.
# `make test/run/demo` and the test runner (tests/dev_environment.py) set MEDINSURE_DEV=1 explicitly.
EMBEDDED_DEMO = not env("DATABASE_URL")
MEDINSURE_DEV = env_bool("MEDINSURE_DEV", EMBEDDED_DEMO)
_DEV_SECRET = "insecure-development-key-only-for-the-embedded-demo"
SECRET_KEY = env("DJANGO_SECRET_KEY") or (_DEV_SECRET if MEDINSURE_DEV else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production (MEDINSURE_DEV=0)")
if SECRET_KEY == _DEV_SECRET and not MEDINSURE_DEV:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is the committed development secret: set your own in production")
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
    "medinsure.core.middleware.QueryParamsGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # after authentication (it needs to know who asks), before anything reads the body (CSRF, the view)
    "medinsure.core.middleware.RequestSizeLimitMiddleware",
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
    "medinsure.accounts.backends.AddressLimitBackend",  # failed logins per address, whatever the usernames
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Reverse proxies in front of the portal that append to X-Forwarded-For (0: clients connect directly).
# The client's address is the one the outermost trusted proxy saw (medinsure/core/client_ip.py); throttles,
# the login lockout and the audit log all read it there, so a forged X-Forwarded-For changes nothing.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
# Lock the username from the address that failed, not the account everywhere: an attacker elsewhere
# cannot keep the supervision head locked out. Password spraying over many accounts from one address is
# stopped by the per-address limit below (medinsure/accounts/backends.py), set higher than one
# user's, because an intranet office shares one address behind its gateway.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_FAILURES_PER_IP = int(env("LOGIN_FAILURES_PER_IP", "30"))
LOGIN_FAILURES_PER_IP_WINDOW = int(env("LOGIN_FAILURES_PER_IP_MINUTES", "15")) * 60
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "medinsure.core.client_ip.client_ip"

# HTTPS: on in production (the portal is served behind TLS), off in development. A TLS-terminating
# proxy says so with X-Forwarded-Proto, trusted only when TRUSTED_PROXY_COUNT says there is a proxy.
HTTPS = env_bool("DJANGO_HTTPS", not MEDINSURE_DEV)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check speaks plain HTTP
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600 if HTTPS else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "medinsure.accounts.authentication.TokenAuthentication",  # our hashed, expiring ApiToken
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "medinsure.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "medinsure.core.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    # Every API request is throttled: signed-in users per user, anonymous callers per client address and
    # globally (medinsure/core/throttles.py; the anonymous ones refuse with 429 while Redis is unreachable).
    "DEFAULT_THROTTLE_CLASSES": [
        "medinsure.core.throttles.UserThrottle",
        "medinsure.core.throttles.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_USER_RATE", "600/min"),
        "anon": env("API_ANON_RATE", "60/min"),
        "token": env("API_TOKEN_RATE", "20/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# API tokens (medinsure/accounts/tokens.py): valid this many days; only these roles may hold one — the
# REST client account and the bureau-wide read-only statistics roles (a leader's dashboard). Staff who
# change personal data work through the pages: a stolen token of theirs would be worth too much.
API_TOKEN_DAYS = int(env("API_TOKEN_DAYS", "90"))
API_TOKEN_ROLES = env_list("API_TOKEN_ROLES", "api_client,leader,director")
# The public channel (whistle-blower form, tracking, published replies): per address and, whatever the
# addresses, a global cap per hour, so a botnet cannot flood the bureau's inbox.
PUBLIC_REPORTS_PER_HOUR_GLOBAL = int(env("PUBLIC_REPORTS_PER_HOUR_GLOBAL", "200"))
PUBLIC_REQUESTS_PER_MINUTE_GLOBAL = int(env("PUBLIC_REQUESTS_PER_MINUTE_GLOBAL", "600"))
PUBLIC_GLOBAL_LIMITS = {  # scope of supervision's public pages → (requests, seconds) for all addresses together
    "report": (PUBLIC_REPORTS_PER_HOUR_GLOBAL, 3600),
    "track": (int(env("PUBLIC_TRACKING_PER_HOUR_GLOBAL", "2000")), 3600),
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
# Only a signed-in user's multipart upload may be that large (then UPLOAD_MAX_BYTES per kind applies).
# Anonymous requests (the public forms, the token endpoint) and every other body (forms, JSON) are small.
REQUEST_ANON_MAX_BYTES = int(env("REQUEST_ANON_MAX_BYTES", str(64 * 1024)))
REQUEST_FORM_MAX_BYTES = int(env("REQUEST_FORM_MAX_BYTES", str(2 * MB)))
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
# Keys for personal data encrypted at rest (whistle-blowers' identities): FIELD_ENCRYPTION_KEYS is a
# comma-separated list, newest first (medinsure/core/crypto.py: MultiFernet — new rows are encrypted
# with the first key, rows written under any listed key stay readable; to rotate, put a new key in
# front, run `manage.py rotate_field_keys`, then drop the old one). FIELD_ENCRYPTION_KEY (one key) is
# still read. The committed key below only protects the embedded demo and the tests: production
# refuses to start with it.
_COMMITTED_FIELD_KEY = "MQa-dYX2TMRXUKpMlFqeUq8h6eQFHw58xXCYOAVEmlo="
FIELD_ENCRYPTION_KEYS = (
    env_list("FIELD_ENCRYPTION_KEYS")
    or env_list("FIELD_ENCRYPTION_KEY")
    or ([_COMMITTED_FIELD_KEY] if MEDINSURE_DEV else [])
)
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production (MEDINSURE_DEV=0)")
if _COMMITTED_FIELD_KEY in FIELD_ENCRYPTION_KEYS and not MEDINSURE_DEV:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds the committed development key: generate your own")
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        import base64

        if len(base64.urlsafe_b64decode(_key.encode())) != 32:
            raise ValueError
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS: every key must be a Fernet key (Fernet.generate_key())"
        ) from None
FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEYS[0]  # the key new rows are written with

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- branch E: retention and backups ---------------------------------------------------------
# Task messages (medinsure.jobs OutboxMessage) sent longer ago than this are deleted, bodies and all,
# by the daily beat task medinsure.core.outbox_retention; unsent ones are kept (docs/SECURITY.md).
MEDINSURE_RETENTION_OUTBOX_DAYS = int(env("MEDINSURE_RETENTION_OUTBOX_DAYS", "30"))
# Backups (manage.py backup) are encrypted when this is set: a Fernet key (base64, 32 bytes) or a
# passphrase of at least 16 characters. Keep it outside the backup's own storage (docs/SECURITY.md).
MEDINSURE_BACKUP_KEY = env("MEDINSURE_BACKUP_KEY", "") or ""

# --- branch A: imports keep their data in PostgreSQL; raw uploads and error data are deleted after this
# many days (the import row stays: counts, who, when), by the beat task medinsure.core.imports_retention.
MEDINSURE_RETENTION_IMPORT_DAYS = int(env("MEDINSURE_RETENTION_IMPORT_DAYS", "180"))
