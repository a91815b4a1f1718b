"""Settings for Common Ground, read from environment variables (see README's table).

With nothing set it runs on embedded defaults: SQLite and Celery over kombu's filesystem
transport. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from coproduction.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-0123456789abcdef"

# Field encryption keys (coproduction.encryption): real Fernet keys, independent of SECRET_KEY.
# The first encrypts, all of them decrypt (rotation: put the new key first, run
# `manage.py rotate_field_keys`, then drop the old one). A lost key is lost data.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    # A fixed key for development only: anyone can read what it encrypts.
    FIELD_ENCRYPTION_KEYS = ["aW5zZWN1cmUtZGV2ZWxvcG1lbnQtZmllbGQta2V5ISE="]
# Only for migration coproduction.0040: the FIELD_ENCRYPTION_KEYS of the old scheme (which
# derived keys from SECRET_KEY with these as salts). Remove once migrated.
LEGACY_FIELD_ENCRYPTION_KEYS = env_list("LEGACY_FIELD_ENCRYPTION_KEYS", ["insecure-development-field-key"] if DEBUG else [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_url("SITE_URL", {"http", "https"}, default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_celery_beat",
    "csp",
    "coproduction",
    "interviews",
    "wellbeing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
    "coproduction.middleware.PrivacyHeadersMiddleware",
    "coproduction.middleware.CannotOpenPage",
]

ROOT_URLCONF = "coproduction.urls"
WSGI_APPLICATION = "coproduction.wsgi.application"
AUTH_USER_MODEL = "coproduction.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Every template's {% url %} remembers the addresses it made (the URLconf is fixed
            # while a process runs): coproduction/templatetags/urls.py.
            "builtins": ["coproduction.templatetags.urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coproduction.context_processors.common_ground",
            ],
        },
    },
]

DATABASE_URL = env_url("DATABASE_URL", {"postgres", "postgresql", "sqlite"}, default="")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# coproduction.prepared: questions asked on every page are compiled once per process. The tests
# also compile each one the ordinary way and compare (tests/conftest.py turns this on).
PREPARED_QUERIES_VERIFY = False

REDIS_URL = env_url("REDIS_URL", {"redis", "rediss"})
if REDIS_URL:
    # Rate limits and used TOTP codes live in the cache: while Redis is down they go to a
    # database cache instead (coproduction.cache), so sign-in neither fails nor stops limiting.
    CACHES = {
        "default": {
            "BACKEND": "coproduction.cache.RedisWithDatabaseFallback",
            "LOCATION": REDIS_URL,
            "FALLBACK": "fallback",
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_TIMEOUT_SECONDS", 1, minimum=1),
                "socket_timeout": env_int("REDIS_TIMEOUT_SECONDS", 1, minimum=1),
            },
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_fallback",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport so that
# `make run` needs no server. Tasks receive ids only, never personal data.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A broker that does not answer (rather than refusing) must not hold a request for the
    # operating system's two-minute connect timeout: queueing fails fast and beat retries.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 5}
else:
    _queue_dir = VAR_DIR / "celery"
    for sub in ("out", "processed", "control"):
        (_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "data_folder_processed": str(_queue_dir / "processed"),
        # Broadcast (control) messages: kept under var/ too, never in the working tree.
        "control_folder": str(_queue_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Workers log through LOGGING below, so a failed task is logged by exception class only.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat: claim due reminders every minute; queue each project's 08:00 digest when its local
# morning comes (each project has its own time zone, so this too runs every minute).
NOTIFICATION_CLAIM_SECONDS = env_int("NOTIFICATION_CLAIM_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "claim-due-notifications": {
        "task": "coproduction.tasks.claim_due_notifications",
        "schedule": float(NOTIFICATION_CLAIM_SECONDS),
    },
    "queue-daily-digests": {"task": "coproduction.tasks.queue_daily_digests", "schedule": 60.0},
    "analysis-delete-old-exports": {"task": "analysis.delete_old_exports", "schedule": 3600.0},
    # Background exports are rows: queue again those the broker refused or a dead worker left.
    "analysis-requeue-stalled-exports": {"task": "analysis.requeue_stalled_exports", "schedule": 60.0},
    # wellbeing: one neutral alert per overdue catch-up, sent in the project's local morning.
    "remind-overdue-catch-ups": {"task": "wellbeing.remind_overdue_catch_ups", "schedule": 900.0},
    # interviews: participants' contact details are erased once spent (after the interview).
    "erase-spent-contact-details": {"task": "interviews.erase_spent_contact_details", "schedule": 900.0},
    # interviews: released notes drafts kept past DRAFT_RETENTION_DAYS are deleted (idempotent).
    "purge-released-drafts": {"task": "notes.purge_released_drafts", "schedule": 3600.0},
    # engagement: individual-session requests closed 30 days ago are erased (idempotent).
    "erase-closed-session-requests": {"task": "engagement.erase_closed_session_requests", "schedule": 3600.0},
    # publication: contact details kept for updates are erased on the project's follow-up end
    # date, once no notice to them is still to be sent (idempotent).
    "erase-follow-up-contacts": {"task": "publication.erase_follow_up_contacts", "schedule": 3600.0},
    # wellbeing: booked or declined session requests are deleted after SESSION_REQUEST_RETENTION_DAYS.
    "purge-spent-session-requests": {"task": "wellbeing.purge_spent_session_requests", "schedule": 3600.0},
    # Expired sign-in sessions (they hold flash messages) are deleted, as `clearsessions` does.
    "clear-expired-sessions": {"task": "coproduction.tasks.clear_expired_sessions", "schedule": 3600.0},
}
# Delivery (coproduction.notifications.delivery): a send started and not finished within the
# lease is tried again; transient failures are retried after RETRY_SECONDS, doubling each time, up to
# MAX_ATTEMPTS.
NOTIFICATION_LEASE_SECONDS = env_int("NOTIFICATION_LEASE_SECONDS", 300, minimum=1)
# A queued delivery message not started within this is dropped by the worker and queued again.
NOTIFICATION_QUEUE_EXPIRES_SECONDS = env_int("NOTIFICATION_QUEUE_EXPIRES_SECONDS", 900, minimum=1)
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 5, minimum=1)
NOTIFICATION_RETRY_SECONDS = env_int("NOTIFICATION_RETRY_SECONDS", 60, minimum=1)
NOTIFICATION_BATCH_SIZE = env_int("NOTIFICATION_BATCH_SIZE", 200, minimum=1)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# allauth: email login, invitation only (no public sign-up), rate-limited.
ACCOUNT_ADAPTER = "coproduction.adapters.InviteOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_RATE_LIMIT", "5/5m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Common Ground"
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
MFA_REQUIRED_ROLES = {"coordinator", "analyst", "supervisor"}

# Idle timeout: every request renews the session; SESSION_IDLE_MINUTES without one signs out.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=2)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# Flash messages ("Interview with SW-003 booked.") live in the server-side session, never in a
# cookie the browser keeps.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE = env_bool("SECURE", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: no inline script or style, nothing from anywhere else.
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
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A hung SMTP server must not hold a reminder's row lock (and a worker) forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "sent-email"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Common Ground <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

NOTIFY_API_KEY = env_str("NOTIFY_API_KEY")
NOTIFY_EMAIL_TEMPLATE_ID = env_str("NOTIFY_EMAIL_TEMPLATE_ID")
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID")
NOTIFY_BASE_URL = env_url("NOTIFY_BASE_URL", {"http", "https"}, default="https://api.notifications.service.gov.uk")

QUICK_EXIT_URL = env_url("QUICK_EXIT_URL", {"http", "https"}, default="https://www.bbc.co.uk/weather")
DRAFT_RETENTION_DAYS = env_int("DRAFT_RETENTION_DAYS", 0, minimum=0)
# Requests for an individual session from one address per hour on the public form.
ENGAGEMENT_REQUESTS_PER_HOUR = env_int("ENGAGEMENT_REQUESTS_PER_HOUR", 5, minimum=1)
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7, minimum=1)
SESSION_REQUEST_RETENTION_DAYS = env_int("SESSION_REQUEST_RETENTION_DAYS", 30, minimum=0)
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# Exports with more rows than this are built in the background with a progress page.
ANALYSIS_BACKGROUND_EXPORT_ROWS = env_int("ANALYSIS_BACKGROUND_EXPORT_ROWS", 2000, minimum=1)
# A running export silent (no progress) this long is presumed dead and queued again; a queued
# export's message not started this long is dropped by the worker and queued again.
EXPORT_LEASE_SECONDS = env_int("EXPORT_LEASE_SECONDS", 600, minimum=10)
EXPORT_QUEUE_EXPIRES_SECONDS = env_int("EXPORT_QUEUE_EXPIRES_SECONDS", 900, minimum=10)
# The largest REFI-QDA codebook (.qdc) accepted for import.
QDC_IMPORT_MAX_BYTES = 2 * 1024 * 1024

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Logs carry ids and actions only; the formatter never receives request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"exception_class_only": {"()": "coproduction.logfilters.ExceptionClassOnly"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["exception_class_only"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
