"""Kohtaamo settings: one module, read from the environment.

Every variable is listed in docs/configuration.md. The defaults give the
embedded mode (SQLite, tasks in-process, e-mail to the console) so that
`make run` works with no services at all.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kohtaamo.checks import EMBEDDED_SECRET_KEY, refuse_weak_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default key is only good for a local trial; production must set SECRET_KEY
# (kohtaamo/checks.py: `check --deploy` reports it, and outside the embedded mode the site
# does not start without one; see below DATABASES).
SECRET_KEY = env.str("SECRET_KEY", default="") or EMBEDDED_SECRET_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The project's own apps: the archive holds every table of these (archive/classification.py).
PROJECT_APPS = [
    "accounts",
    "events",
    "networks",
    "recordings",
    "accessibility",
    "outbox",
    "microsoft365",
    "youtube",
    "reach",
    "archive",
]
INSTALLED_APPS = [
    "modeltranslation",  # before admin: translated fields in the admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.microsoft",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django.forms",  # the form templates, for FORM_RENDERER below
    *PROJECT_APPS,
    "health_check",  # the readiness page's HTML template (kohtaamo/health.py)
]

MIDDLEWARE = [
    "kohtaamo.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kohtaamo.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kohtaamo.security.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "kohtaamo.middleware.DatabaseUnavailableMiddleware",
    "reach.middleware.VisitCountingMiddleware",  # cache only, after the page is made
]

ROOT_URLCONF = "kohtaamo.urls"
# Widgets render with TEMPLATES, so templates/ can override one (the admin's date and time).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "kohtaamo.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
refuse_weak_secret_key(
    key=SECRET_KEY,
    database_engine=DATABASES["default"]["ENGINE"],
    allowed_hosts=ALLOWED_HOSTS,
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable database fails a connection in seconds (libpq's connect_timeout), so
    # /healthz and the 503 page answer quickly instead of hanging on a SYN.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3)
    )
    # Django turns psycopg's prepared statements off (prepare_threshold None), and that also
    # ignores an explicit `execute(..., prepare=True)`. With a threshold nothing reaches, only
    # the calendar feed's query (events/calendars/feeds.py _FeedCursor, server-side binding)
    # is prepared, once per connection, as it asks; Django's own queries bind in the client
    # and are never prepared either way.
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2**31 - 1)
else:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://kohtaamo")}
# Each worker's own copies of public pages (events/page_cache.py): ~300 pages of ~40 kB.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "kohtaamo-pages",
    "OPTIONS": {"MAX_ENTRIES": 300},
}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Redis down means slower, not broken (kohtaamo/cache.py): short socket timeouts, then
    # the cache answers as an empty one for CACHE_RETRY_SECONDS. Query options of CACHE_URL
    # are dropped in favour of these.
    CACHES["default"]["BACKEND"] = "kohtaamo.cache.FailOpenRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        "retry_seconds": env.float("CACHE_RETRY_SECONDS", default=5.0),
    }

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "request_login_code": "20/m/ip,3/m/key",
}
# Second factor (allauth.mfa). Staff must have one unless they sign in with Entra ID:
# accounts.rules decides, accounts.middleware.SecondFactorMiddleware enforces.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Kohtaamo"
MFA_TOTP_TOLERANCE = 1  # accept the code of the previous and next 30 s (phone clocks drift)
# A passkey (WebAuthn with user verification) is a full sign-in on its own.
MFA_PASSKEY_LOGIN_ENABLED = True
# WebAuthn wants https (or http://localhost); http://127.0.0.1 is allowed only in local DEBUG.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG and SITE_URL.startswith(
    ("http://127.0.0.1:", "http://localhost:")
)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
MICROSOFT_CLIENT_ID = env.str("MICROSOFT_CLIENT_ID", default="")
MICROSOFT_CLIENT_SECRET = env.str("MICROSOFT_CLIENT_SECRET", default="")
MICROSOFT_TENANT = env.str("MICROSOFT_TENANT", default="organizations")
SOCIALACCOUNT_PROVIDERS = {}
if MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET:
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": MICROSOFT_CLIENT_ID,
                "secret": MICROSOFT_CLIENT_SECRET,
                "settings": {"tenant": MICROSOFT_TENANT},
            }
        ]
    }

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["kohtaamo.formats"]

# --- Static and media -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Without a proxy (`make run` sets it; DEBUG too) Django serves the public uploads itself:
# only the folders below, never the rest of MEDIA_ROOT (attendance-uploads/ holds personal
# data). In production the proxy serves /media/ and this stays off.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
PUBLIC_MEDIA_FOLDERS = ["materials"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Every upload goes through kohtaamo.uploads.check_upload (docs/privacy.md "Uploads"): size
# per upload point (else MAX_UPLOAD_BYTES), bounds of tables and workbooks (overrides of
# kohtaamo.uploads.DEFAULT_CSV_LIMITS / DEFAULT_XLSX_LIMITS).
UPLOAD_LIMITS = {"captions": env.int("MAX_CAPTION_BYTES", default=2 * 1024 * 1024)}
CSV_LIMITS: dict[str, int] = {}
XLSX_LIMITS: dict[str, int] = {}

# --- API ---------------------------------------------------------------------
# The apps whose `api` module fills /api/v1/ (kohtaamo/api.py): `register(router)` adds its
# viewsets, `urlpatterns` its other endpoints. The root page lists them in this order.
API_MODULES = ["events.api", "networks.api", "recordings.api", "accounts.api"]

# --- Demo data ---------------------------------------------------------------
# `manage.py seed_demo` runs these in order (kohtaamo/demo.py): each app seeds its own rows
# and finds what earlier ones made by query.
DEMO_SEEDERS = [
    "accounts.demo.seed",
    "networks.demo.seed",
    "events.demo.seed",
    "recordings.demo.seed",
]

# --- E-mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kohtaamo <kohtaamo@example.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# How long a worker trusts what it last read of a calendar feed's version without asking the
# cache (a 304 then needs no round trip); another worker's change reaches it this late.
CALENDAR_FEED_LOCAL_TRUST_SECONDS = env.float("CALENDAR_FEED_LOCAL_TRUST_SECONDS", default=1.0)

# /events/ and the archive for visitors without a session, kept per worker (events/
# page_cache.py): at most this long, and never past a change or the minute it was made in.
PUBLIC_PAGE_SECONDS = env.int("PUBLIC_PAGE_SECONDS", default=60)

# --- Celery -----------------------------------------------------------------
# The memory broker names its host: even eager tasks open a (pooled) connection, and kombu
# warns "No hostname was supplied" on each one that has none.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://localhost/")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Every task is idempotent (the outbox row, or the record of what was sent, is the key), so a
# task whose worker died (SIGKILL, OOM) goes back to the queue instead of being acknowledged.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis broker: a task not acknowledged this long after delivery is delivered again. It
# must exceed the hard time limit, or a slow task still running is handed to a second worker.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=240)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT "
        f"({CELERY_VISIBILITY_TIMEOUT} <= {CELERY_TASK_TIME_LIMIT})"
    )
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request never waits for the broker (docs/deploy.md "Outages"): connecting and publishing
# give up after CELERY_BROKER_TIMEOUT seconds, once, without Celery's publish retries; the
# outbox hands the message over later. Workers reconnect on their own (connection retry).
CELERY_BROKER_TIMEOUT = env.float("CELERY_BROKER_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_TIMEOUT,
    "socket_timeout": CELERY_BROKER_TIMEOUT,
    "retry_on_timeout": False,
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
# The Redis result backend subscribes to each published task's result: once, no 20 s loop.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_REDIS_RETRY_ON_TIMEOUT = False
# Keep Django's LOGGING (JSON with LOG_FORMAT=json) in workers instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The outbox (outbox/services.py, docs/deploy.md "Outbox"): attempts before a row is marked
# failed, the grace delay before the dispatcher hands a fresh row over, and how old a claim
# must be to count as a dead worker's (longer than the task time limit).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_GRACE_SECONDS = env.float("OUTBOX_GRACE_SECONDS", default=15.0)
# How often beat hands pending rows over: with the grace above, a mail held back by a broker
# outage leaves within about OUTBOX_DISPATCH_SECONDS + OUTBOX_GRACE_SECONDS of its return.
OUTBOX_DISPATCH_SECONDS = env.float("OUTBOX_DISPATCH_SECONDS", default=20.0)
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=90)
OUTBOX_STALE_SECONDS = env.float("OUTBOX_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
CELERY_BEAT_SCHEDULE = {
    # Reach counts gathered in the cache, written to the database in one batch (reach/services).
    "reach-counts": {"task": "reach.flush_counts", "schedule": crontab(minute="*/5")},
    "event-reminders": {"task": "events.tasks.send_due_reminders", "schedule": crontab(minute=0)},
    "feedback-requests": {
        "task": "events.tasks.send_due_feedback_requests",
        "schedule": crontab(minute=30),
    },
    "network-digests": {
        "task": "networks.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    "recording-metadata": {
        "task": "recordings.tasks.refresh_all_recordings",
        "schedule": crontab(hour=3, minute=15),
    },
    "caption-deadline-alerts": {
        "task": "accessibility.tasks.send_deadline_alerts",
        "schedule": crontab(hour=8, minute=0),
    },
    "data-retention": {
        "task": "accounts.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    "calendar-entries": {
        "task": "events.tasks.prune_calendar_entries",
        "schedule": crontab(hour=4, minute=0),
    },
    # Attendance of Teams meetings that ended 15 min to 7 days ago (only with Graph configured).
    "teams-attendance": {
        "task": "events.tasks.fetch_due_teams_attendance",
        "schedule": crontab(minute="*/15"),
    },
    # The channel's videos: privacy, duration, views (a connected YouTube channel only;
    # 1 quota unit per 50 videos): docs/youtube.md.
    "youtube-videos": {
        "task": "youtube.read_videos",
        "schedule": crontab(hour="*/6", minute=40),
    },
    # Hands over outbox rows still pending (broker was down, worker died): docs/deploy.md.
    "outbox-dispatch": {
        "task": "outbox.dispatch_pending",
        "schedule": OUTBOX_DISPATCH_SECONDS,
        "options": {"expires": OUTBOX_DISPATCH_SECONDS},
    },
    "outbox-prune": {"task": "outbox.prune_sent", "schedule": crontab(hour=4, minute=15)},
    # The readiness check "worker" fails when this has not run for READINESS_HEARTBEAT_MAX_AGE.
    "worker-heartbeat": {
        "task": "kohtaamo.tasks.heartbeat",
        "schedule": env.float("WORKER_HEARTBEAT_SECONDS", default=60.0),
        "options": {"expires": env.float("WORKER_HEARTBEAT_SECONDS", default=60.0)},
    },
}
# Readiness (/readyz, kohtaamo/health.py): each check's time budget, the oldest acceptable
# worker heartbeat and the oldest acceptable pending outbox row, in seconds.
READINESS_TIMEOUT = env.float("READINESS_TIMEOUT", default=3.0)
READINESS_HEARTBEAT_MAX_AGE = env.float("READINESS_HEARTBEAT_MAX_AGE", default=300.0)
READINESS_OUTBOX_MAX_AGE = env.float("READINESS_OUTBOX_MAX_AGE", default=600.0)

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    # The first class gives a 401's WWW-Authenticate (Token): with the session first, DRF
    # would answer an anonymous caller 403. A session still needs its CSRF token for writes.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.StrictTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Every operation's error answers (400/401/403/404/429) and security, in one place.
    "DEFAULT_SCHEMA_CLASS": "kohtaamo.api_schema.AutoSchema",
    # Every error body has "detail"; a validation error's also "errors" by field.
    "EXCEPTION_HANDLER": "kohtaamo.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "kohtaamo.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_RATES": {"registration": "30/min", "import": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kohtaamo API",
    "DESCRIPTION": "Events, registrations, networks, recordings and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links Swagger UI puts no link inside each operation's toggle button
    # (axe nested-interactive); the page is served from 'self' under the site's CSP.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RegistrationStatusEnum": "events.models.RegistrationStatus",
        "EventStatusEnum": "events.models.EventStatus",
        "MembershipStatusEnum": "networks.models.MembershipStatus",
    },
}

# --- Domain settings ------------------------------------------------------------
ATTENDANCE_MIN_MINUTES = env.int("ATTENDANCE_MIN_MINUTES", default=5)
# A Teams report whose meeting starts (or ends) further than this from the event's start
# (or end) is refused as another meeting's, unless the organiser confirms it with a reason.
ATTENDANCE_REPORT_TOLERANCE_MINUTES = env.int("ATTENDANCE_REPORT_TOLERANCE_MINUTES", default=120)
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
# Answers to registration questions (accessibility needs, diet: possibly health data) are
# erased this many days after their event ended; the registrations stay (docs/privacy.md).
ANSWERS_RETENTION_DAYS = env.int("ANSWERS_RETENTION_DAYS", default=30)
# Access log lines (who viewed or exported personal data) are kept this long: two years,
# as long as the data they refer to (docs/privacy.md).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=730)
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="tietosuoja@kohtaamo.example")
CAPTION_DEADLINE_DAYS = env.int("CAPTION_DEADLINE_DAYS", default=14)

# --- Programme archive (archive/, docs/archive.md) ----------------------------------
# Whether the archive ZIP keeps personal data as it is (the archive rules say so) or
# pseudonymises it; the pseudonyms' HMAC key (default: derived from SECRET_KEY); the
# language of its dictionary, README and PDF; where finished archives are kept (private:
# never under MEDIA_ROOT, downloaded only through a permission-checked view).
ARCHIVE_KEEP_PERSONAL_DATA = env.bool("ARCHIVE_KEEP_PERSONAL_DATA", default=False)
ARCHIVE_PSEUDONYM_KEY = env.str("ARCHIVE_PSEUDONYM_KEY", default="")
ARCHIVE_LANGUAGE = env.str("ARCHIVE_LANGUAGE", default="fi")
ARCHIVE_ROOT = env.path("ARCHIVE_ROOT", default=BASE_DIR / "private" / "archives")

# --- Microsoft 365 (Graph) ---------------------------------------------------------
# Teams meetings in the organiser's calendar and their attendance reports, app-only
# (microsoft365/, docs/microsoft365.md). No Graph call is made unless the tenant, the client
# id, the organiser and a secret or a certificate are set (microsoft365.config).
GRAPH_TENANT_ID = env.str("GRAPH_TENANT_ID", default="")
GRAPH_CLIENT_ID = env.str("GRAPH_CLIENT_ID", default="")
GRAPH_CLIENT_SECRET = env.str("GRAPH_CLIENT_SECRET", default="")
# A certificate is preferred to a secret when both are given: a .pfx/.p12 file, or a PEM file
# with the private key and the certificate's thumbprint (as the app registration shows it).
GRAPH_CERTIFICATE_PATH = env.str("GRAPH_CERTIFICATE_PATH", default="")
GRAPH_CERTIFICATE_THUMBPRINT = env.str("GRAPH_CERTIFICATE_THUMBPRINT", default="")
GRAPH_CERTIFICATE_PASSPHRASE = env.str("GRAPH_CERTIFICATE_PASSPHRASE", default="")
# The mailbox (user object id or UPN) that organises the meetings; the Teams application
# access policy must be granted to it.
GRAPH_ORGANISER = env.str("GRAPH_ORGANISER", default="")
# National clouds have their own hosts (e.g. https://graph.microsoft.us/v1.0 with
# https://login.microsoftonline.us).
GRAPH_ENDPOINT = env.str("GRAPH_ENDPOINT", default="https://graph.microsoft.com/v1.0").rstrip("/")
GRAPH_AUTHORITY_HOST = env.str(
    "GRAPH_AUTHORITY_HOST", default="https://login.microsoftonline.com"
).rstrip("/")
GRAPH_SCOPE = "/".join(GRAPH_ENDPOINT.split("/")[:3]) + "/.default"  # the endpoint's origin
GRAPH_TIMEOUT_SECONDS = env.float("GRAPH_TIMEOUT_SECONDS", default=10.0)

# --- YouTube (Data API v3) ---------------------------------------------------------
# The county's channel, connected once by an administrator (youtube/, docs/youtube.md).
# Without YOUTUBE_CLIENT_ID the YouTube pages answer 404 and nothing calls Google.
YOUTUBE_CLIENT_ID = env.str("YOUTUBE_CLIENT_ID", default="")
YOUTUBE_CLIENT_SECRET = env.str("YOUTUBE_CLIENT_SECRET", default="")
# Google's endpoints by default; a stub server can stand in for them in tests and trials.
YOUTUBE_API_ENDPOINT = env.str("YOUTUBE_API_ENDPOINT", default="https://youtube.googleapis.com/")
YOUTUBE_TOKEN_URI = env.str("YOUTUBE_TOKEN_URI", default="https://oauth2.googleapis.com/token")
YOUTUBE_AUTH_URI = env.str("YOUTUBE_AUTH_URI", default="https://accounts.google.com/o/oauth2/auth")
# The Google Cloud project's quota in units a day (reset at midnight Pacific time).
YOUTUBE_DAILY_QUOTA = env.int("YOUTUBE_DAILY_QUOTA", default=10000)
# The Fernet key that encrypts the stored refresh token. Production sets its own
# (`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`);
# the default is derived from SECRET_KEY (HKDF-SHA256) so that the embedded mode works, and
# changes with it: a new SECRET_KEY without YOUTUBE_TOKEN_KEY means connecting the channel again.
YOUTUBE_TOKEN_KEY = env.str("YOUTUBE_TOKEN_KEY", default="")
if not YOUTUBE_TOKEN_KEY:
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    YOUTUBE_TOKEN_KEY = base64.urlsafe_b64encode(
        HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"kohtaamo youtube refresh token"
        ).derive(SECRET_KEY.encode())
    ).decode()

# --- Security -------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "accounts.sessions"  # database sessions; malformed cookies are ignored
# The caption workbench adds script-src for the YouTube IFrame Player API on its own page
# (recordings.workbench.player_policy); every other page runs only the site's scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: https://i.ytimg.com; "
    "frame-src https://www.youtube-nocookie.com; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The YouTube IFrame Player API the caption workbench loads (a stub on 127.0.0.1 in tests).
YOUTUBE_IFRAME_API_URL = env.str(
    "YOUTUBE_IFRAME_API_URL", default="https://www.youtube.com/iframe_api"
)

# --- Logging --------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kohtaamo.middleware.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each step of every PDF at INFO (the funder's report).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
