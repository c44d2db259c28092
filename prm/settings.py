"""Settings for the PRM project.

One file, sectioned, driven by the environment (django-environ). Development defaults are
safe to run locally; `PRM_ENV=production` switches on the hardening that
`manage.py check --deploy` asks for.
"""

import os
import urllib.parse
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------
PRM_ENV = env.str("PRM_ENV", default="development")
PRODUCTION = PRM_ENV == "production"
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# Development only: a fixed key so sessions survive restarts. Production refuses to start
# without a real one (env.str raises when the variable is missing).
SECRET_KEY = (
    env.str("SECRET_KEY")
    if PRODUCTION
    else env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production-0123456789")
)
# Vendors live on <schema>.<PRM_BASE_DOMAIN>; the public site on the base domain itself.
PRM_BASE_DOMAIN = env.str("PRM_BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[PRM_BASE_DOMAIN, f".{PRM_BASE_DOMAIN}"])
# Port shown in links that leave the request cycle (e-mails), e.g. 8000 in development.
PRM_PUBLIC_PORT = env.str("PRM_PUBLIC_PORT", default="")

# --- Applications (django-tenants) ----------------------------------------------------
# Auth, sessions, admin, contenttypes and the user app are in both lists: each vendor
# schema has its own users and sessions, and the public schema has the platform operator.
SHARED_APPS = [
    "django_tenants",
    "prm.tenancy",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "prm.accounts",
    "prm.core",
    "prm.seeding",  # no tables: the seed_demo and seed_scale commands
    "axes",
    "django_htmx",
    "template_partials",
    # No models: its templates and static files serve the self-hosted API docs page.
    "ninja",
]
TENANT_APPS = [
    # History tables of tracked models (partners, users), in each vendor's schema.
    "simple_history",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "prm.accounts",
    "axes",
    "partners",
    "deals",
    "channels",
    "reporting",
    "reporting.analytics",
    "prm.api",
    "prm.webhooks",
    "reporting.quality",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.Vendor"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_URLCONF = "prm.urls_public"
ROOT_URLCONF = "prm.urls"
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # Touches no database: gives even a request that fails in routing an id (logs, 503 page).
    "prm.core.observability.RequestIdMiddleware",
    # The TLS proxy's certificate check, before tenant routing reads the Host header.
    "prm.tenancy.middleware.TlsAskMiddleware",
    # First to use the database: every later middleware and view runs in the vendor's schema.
    "django_tenants.middleware.main.TenantMainMiddleware",
    "prm.tenancy.middleware.SuspendedVendorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before CSRF reads the body: anonymous POSTs are capped (prm/accounts/middleware.py).
    "prm.accounts.middleware.AnonymousBodyLimitMiddleware",
    "prm.accounts.middleware.UserPreferencesMiddleware",
    # Records the logged-in user as the author of history rows written by this request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: axes needs the authenticated user and must see failed logins.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files from the app server itself (no separate web server needed); in
    # development runserver serves them from the finders.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prm.core.context_processors.navigation",
            ],
        },
    }
]

WSGI_APPLICATION = "prm.wsgi.application"

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/prm")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A Unix-socket directory travels percent-encoded in the URL host (the embedded server).
if DATABASES["default"].get("HOST", "").startswith("%2F"):
    DATABASES["default"]["HOST"] = urllib.parse.unquote(DATABASES["default"]["HOST"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Tenants are cloned from a migrated template schema instead of replaying every migration
# (prm/tenancy/template.py keeps it current; "" runs every migration instead).
TENANT_BASE_SCHEMA = env.str("TENANT_BASE_SCHEMA", default="tenant_template")
TENANT_CREATION_FAKES_MIGRATIONS = bool(TENANT_BASE_SCHEMA)
# `migrate_schemas --executor=multiprocessing` migrates this many tenants at once.
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MULTIPROCESSING_MAX_PROCESSES", default=2)

# --- Cache and Redis ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Without the tenant-aware key function, keys collide across vendors.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="prm"),
    }
}

# --- Auth -----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# Counted as login matches it: case-insensitively (prm/accounts/lockout.py).
AXES_USERNAME_CALLABLE = "prm.accounts.lockout.axes_username"
# The client's address from the trusted proxies' X-Forwarded-For (prm/accounts/network.py).
AXES_CLIENT_IP_CALLABLE = "prm.accounts.network.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False

# --- Sessions, cookies, security ------------------------------------------------------
# SESSION_COOKIE_DOMAIN / CSRF_COOKIE_DOMAIN stay unset on purpose: host-only cookies keep
# one vendor's login from being sent to another vendor's host.
SESSION_COOKIE_NAME = "prm_session"
CSRF_COOKIE_NAME = "prm_csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "prm_language"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Container health checks call /health/ over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list(
        "CSRF_TRUSTED_ORIGINS", default=[f"https://*.{PRM_BASE_DOMAIN}"]
    )

# Reverse proxies in front of the app that append to X-Forwarded-For (production assumes
# the one TLS proxy). The client is the TRUSTED_PROXY_COUNT-th address from the right;
# 0 ignores the header (a forged one would otherwise pick the address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)

# Throttles of the e-mail-sending public forms: (requests, window in seconds).
PASSWORD_RESET_PER_ADDRESS = (3, 60 * 60)
PASSWORD_RESET_PER_CLIENT = (10, 60 * 60)
APPLY_PER_ADDRESS = (2, 24 * 60 * 60)
APPLY_PER_CLIENT = (5, 60 * 60)
# Anonymous POST bodies above this are refused (413) before anything reads them; logged-in
# users keep DATA_UPLOAD_MAX_MEMORY_SIZE and the upload limits.
ANONYMOUS_MAX_BODY_BYTES = env.int("ANONYMOUS_MAX_BODY_BYTES", default=64 * 1024)

# Content security policy: everything from our own origin; htmx needs no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Uploads and files ----------------------------------------------------------------
# Request bodies above this are refused before they reach a view; report uploads have
# their own per-tenant limit (Vendor.max_upload_mb) checked while streaming.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
PRM_MAX_UPLOAD_BYTES_CEILING = env.int("PRM_MAX_UPLOAD_BYTES_CEILING", default=200 * 1024 * 1024)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
MULTITENANT_RELATIVE_MEDIA_ROOT = ""
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Stores under MEDIA_ROOT/<schema>/, so one vendor's files never share a folder
    # with another's.
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese"))]
# Each app keeps its own catalogue (strings of its code and its templates/ folder); the
# project catalogue holds prm/ and templates/. App paths come first: makemessages files
# each string under the first listed path that contains its source file.
LOCALE_PATHS = [
    BASE_DIR / app / "locale"
    for app in (
        "partners",
        "deals",
        "channels",
        "reporting/analytics",
        "reporting/quality",
        "reporting",
    )
]
LOCALE_PATHS.append(BASE_DIR / "locale")
USE_I18N = True
# Local number and date formats per language (prm/formats/<code>/formats.py over Django's).
FORMAT_MODULE_PATH = ["prm.formats"]
TIME_ZONE = "UTC"
USE_TZ = True

# --- E-mail ---------------------------------------------------------------------------
# One URL says how mail leaves (django-environ's email_url):
#   smtp+tls://user:password@smtp.example.com:587   STARTTLS with credentials
#   smtp+ssl://user:password@smtp.example.com:465   TLS from the first byte
#   smtp://localhost:25                             a local relay
#   consolemail://                                  print to the console (development)
globals().update(
    env.email_url("EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "consolemail://")
)
# An explicit backend (tests, a provider's backend) still wins over the URL's.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)  # noqa: F821
# A server that does not answer must not hold a worker for minutes: give up and retry later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_RETRY_BACKOFF = env.int("EMAIL_RETRY_BACKOFF", default=30)
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=150)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PRM <no-reply@prm.localhost>")

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
# acks_late alone still acknowledges the message of a killed child process.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers unacknowledged messages after the visibility timeout; every time limit
# stays below it so a running task is never handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# A child that grew past this (KiB) is replaced after its task: one large import must not
# leave a worker holding its peak memory (bench/results/hostile.md: up to ~0.9 GB).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int(
    "CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1_500_000
)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "prm.tenancy.scheduler:ActiveVendorScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".data" / "celerybeat-schedule")
)
# Entries without `tenant_schemas` run once in every active vendor schema.
CELERY_BEAT_SCHEDULE: dict = {
    # Deal registrations (deals/tasks.py), run in every active vendor schema. The tasks are
    # idempotent, so running them more often than needed only costs a query.
    "deals-expire-registrations": {
        "task": "deals.tasks.expire_due_deals",
        "schedule": 60 * 60,
    },
    "deals-expiry-reminders": {
        "task": "deals.tasks.send_expiry_reminders",
        "schedule": 6 * 60 * 60,
    },
    "deals-overdue-review-reminders": {
        "task": "deals.tasks.remind_overdue_reviews",
        "schedule": 6 * 60 * 60,
    },
    # Analytics summaries are rebuilt after each import, deal change and rate change; this
    # nightly full rebuild is the safety net (reporting/analytics/tasks.py).
    "analytics-refresh-everything": {
        "task": "reporting.analytics.tasks.refresh_everything",
        "schedule": 24 * 60 * 60,
    },
    # Webhook retries that are due (prm/webhooks/services.py: RETRY_DELAYS); first attempts
    # are queued straight after the change commits.
    "webhooks-deliver-due": {
        "task": "prm.webhooks.tasks.deliver_due",
        "schedule": 60,
    },
    # Idempotency-Key answers are kept for a day (prm/api/tasks.py).
    "api-forget-old-idempotency-keys": {
        "task": "prm.api.tasks.forget_old_idempotency_keys",
        "schedule": 60 * 60,
    },
    # Imports whose worker died are re-queued within minutes instead of waiting for Redis
    # to redeliver after the visibility timeout (reporting/tasks.py).
    "reporting-recover-stalled-imports": {
        "task": "reporting.tasks.recover_stalled_imports",
        "schedule": 60,
    },
    # Reminders of partner reports due soon, due today or overdue; the task sends at most
    # one per partner, period and day, so running it every few hours is safe
    # (reporting/quality/tasks.py). Scores are rebuilt nightly: lateness grows by itself.
    "quality-report-reminders": {
        "task": "reporting.quality.tasks.send_report_reminders",
        "schedule": 4 * 60 * 60,
    },
    "quality-refresh-scores": {
        "task": "reporting.quality.tasks.refresh_quality_scores",
        "schedule": 24 * 60 * 60,
    },
    "quality-link-customers": {
        "task": "reporting.quality.tasks.link_customers",
        "schedule": 24 * 60 * 60,
    },
}
# An import whose run gave no sign of life (heartbeat) for this long has lost its worker.
# Runs write one at least every chunk (well under a minute); a live run also holds a lock
# the sweep checks, so a slow chunk is never mistaken for a dead worker.
REPORTING_IMPORT_STALL_SECONDS = env.int("REPORTING_IMPORT_STALL_SECONDS", default=5 * 60)
# Interrupted runs of one upload before it fails with a message (a file that kills workers).
REPORTING_IMPORT_MAX_ATTEMPTS = env.int("REPORTING_IMPORT_MAX_ATTEMPTS", default=3)
# Wall time allowed to read a file's container and layout (in a child process limited in
# memory too, reporting.ingest.isolated); a file that takes longer fails with a message.
REPORTING_DETECT_SECONDS = env.int("REPORTING_DETECT_SECONDS", default=120)
# Polars sizes its thread pool once, when first imported, to every core. An import's
# normaliser runs beside the PostgreSQL backend that COPYs its lines: with every core it
# took the backend's, and a million-line import on 2 cores went from ~1.4x to ~1.8x the
# time of the bare COPY (docs/performance-decisions.md). Half the cores, at least one.
os.environ.setdefault("POLARS_MAX_THREADS", str(max(1, (os.cpu_count() or 2) // 2)))

# --- REST API and webhooks -------------------------------------------------------------
# Requests per API key per window (seconds); past it the API answers 429 with Retry-After.
API_THROTTLE_RATE = env.int("API_THROTTLE_RATE", default=600)
API_THROTTLE_WINDOW = env.int("API_THROTTLE_WINDOW", default=60)
# Loopback and private-network webhook targets: refused in production (our servers must not
# be made to POST into our own network), allowed in development for a local receiver.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=not PRODUCTION)
# Private networks allowed all the same (CIDRs, comma-separated), e.g. a receiver reached over
# a VPN; empty by default, so production refuses every non-public address.
WEBHOOKS_ALLOWED_NETWORKS = env.list("WEBHOOKS_ALLOWED_NETWORKS", default=[])
# The function that resolves a webhook host to addresses (once per attempt; the POST connects
# to exactly those). Tests put a resolver of their own here to play a rebinding DNS server.
WEBHOOKS_RESOLVER = "prm.webhooks.targets.system_resolver"
# A CA bundle to verify receivers' certificates with instead of the system's (None: system).
WEBHOOKS_CA_FILE = env.str("WEBHOOKS_CA_FILE", default=None)

# --- Logging --------------------------------------------------------------------------
# One line per record with tenant schema, request id (X-Request-ID, carried into Celery
# tasks) and task id: `key=value` pairs, or JSON for log shippers (prm/core/observability.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "kv")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "prm.core.observability.ContextFilter"}},
    "formatters": {
        "kv": {"()": "prm.core.observability.KeyValueFormatter"},
        "json": {"()": "prm.core.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Error reporting ------------------------------------------------------------------
# Sentry-compatible (Sentry, GlitchTip): on when SENTRY_DSN is set (prm/core/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from prm.core.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=PRM_ENV),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
