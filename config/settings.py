"""Shugel's one settings file.

Everything that differs between deployments comes from environment variables. The defaults
give the embedded deployment (SQLite, one worker, in-process channel layer, memory cache),
so `make run` works on a bare machine. `SHUGEL_ENV=production` refuses insecure defaults.
"""

import logging
import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# --- small typed helpers that fail loudly on a bad value -----------------------------------

def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turns `sqlite:///path` or `postgres://user:pass@host:port/name` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///var/x.db is relative to the checkout; sqlite:////abs/x.db is absolute.
        path = Path(unquote(parts.path)[1:])
        name = path if path.is_absolute() else BASE_DIR / path
        return {
            # Django's, creating the file owner-only (config/sqlite3/base.py).
            "ENGINE": "config.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers
                # queue on the busy timeout instead of failing half-way with "database is
                # locked"; WAL lets readers go on while one writes.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA secure_delete=ON;"
                ),
            },
        }
    if parts.scheme in {"postgres", "postgresql"}:
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("SHUGEL_DB_CONN_MAX_AGE", 0),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def redis_database_for_worker(url: str, worker: str) -> str:
    """`url` moved to a database of its own for test worker `worker` ("gw0", "gw1", ...):
    the URL's database number plus the worker's (Redis has databases 0 to 15)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + int(worker.removeprefix("gw"))
    if number > 15:
        raise ImproperlyConfigured(f"test worker {worker} needs Redis database {number}: "
                                   "run fewer workers or start from a lower database")
    return parts._replace(path=f"/{number}").geturl()


# --- which deployment ---------------------------------------------------------------------

# pytest imports itself before it reads settings; the suite then runs with test settings
# even when SHUGEL_ENV is not set by hand.
ENVIRONMENT = env_str("SHUGEL_ENV") or ("test" if "pytest" in sys.modules else "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured("SHUGEL_ENV must be development, test or production")
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test"

DATA_DIR = Path(env_str("SHUGEL_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEV_SECRET_KEY = "django-insecure-shugel-development-only-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    problems = []
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("SECRET_KEY must be set to a random value of 50 characters or more")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the site's host")
    if not os.environ.get("DATABASE_URL"):
        problems.append("DATABASE_URL must be set")
    if not (os.environ.get("SHUGEL_KEYRING") or os.environ.get("SHUGEL_KEYRING_JSON")):
        problems.append("SHUGEL_KEYRING or SHUGEL_KEYRING_JSON must point to the keyring")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))

# --- applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "org.apps.ShugelAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "channels",
    "django_q",
    "org",
    "vault",
    "audit",
    "intake",
    "routing",
    "lifecycle",
    "notify",
    "reporting",
    "ops",
]
if TESTING:
    # Record models that exist only for the vault's tests (tests/vault/sealed_app).
    INSTALLED_APPS.append("tests.vault.sealed_app")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "config.middleware.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF's check, which is where a form is first read.
    "config.middleware.FormTooLargeMiddleware",
    "config.middleware.CsrfNullOriginMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the outcome of authentication for lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "csp.context_processors.nonce",
                "org.context_processors.staff_navigation",
                "org.context_processors.unit_navigation",
                "config.context_processors.language_links",
                "notify.context_processors.live_notifications",
            ],
            # core's case-ending filters, named so they load whether or not core is an app.
            "libraries": {"grammar": "core.templatetags.grammar"},
        },
    },
]

# --- data ---------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'shugel.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and TESTING and os.environ.get("PYTEST_XDIST_WORKER"):
    # Tests run on several cores share one Redis, and a test empties the cache (FLUSHDB) and
    # listens on channel groups named by unit: each worker gets a database of its own.
    REDIS_URL = redis_database_for_worker(REDIS_URL, os.environ["PYTEST_XDIST_WORKER"])
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "shugel",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "shugel"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# How often an open staff page reads its new notifications from the database (seconds;
# 0 = never). With the in-process channel layer, a notification made in the task worker
# cannot be pushed to the web process, so pages poll; with Redis every process can push and
# pages poll only if Redis fails (notify.consumers).
NOTIFY_POLL_SECONDS = env_int("SHUGEL_NOTIFY_POLL_SECONDS", 0 if REDIS_URL else 2)

# The keyring lives outside the database and outside SECRET_KEY (see docs/security.md).
KEYRING_PATH = Path(env_str("SHUGEL_KEYRING", str(DATA_DIR / "keyring.json")))
MEDIA_ROOT = Path(env_str("SHUGEL_MEDIA_ROOT", str(DATA_DIR / "media")))

# Uploads stay in memory, never in a plain-text temporary file (intake/uploads.py). Under
# ASGI, Django first reads the whole body into a buffer that spills to disk above
# FILE_UPLOAD_MAX_MEMORY_SIZE, so that is set to the largest body accepted at all, and
# config.asgi refuses anything larger before reading it.
FILE_UPLOAD_HANDLERS = ["intake.uploads.LimitedMemoryUploadHandler"]
MAX_REQUEST_BYTES = 5 * 10 * 1024 * 1024 + 256 * 1024
# HTTP requests one server process runs at once (config.asgi); the rest wait their turn. Each
# running request holds a thread and, on PostgreSQL, a connection. Many at once make the
# threads fight over the GIL, and a transaction holding a lock everyone needs (SQLite's write
# lock, the audit chain's head) crawls until the writers behind it time out ("database is
# locked"). 0 = no limit.
MAX_REQUESTS_IN_FLIGHT = env_int("SHUGEL_MAX_REQUESTS_IN_FLIGHT", 8)
if MAX_REQUESTS_IN_FLIGHT < 0:
    raise ImproperlyConfigured("SHUGEL_MAX_REQUESTS_IN_FLIGHT must be 0 (no limit) or more")
# Bytes of large request bodies (1 MiB and more) one process holds at once, arriving or
# waiting for their turn (config.asgi): without it, each connection sending a 50 MB body
# would add 50 MB however many there were. A body that does not fit waits, unread, until
# one ahead of it is done. Two of the largest bodies at once, by default: while Django reads
# a form, it holds its text two to five times over (tests/faults/test_body_budget.py).
BODY_BUDGET_BYTES = env_int("SHUGEL_BODY_BUDGET_MB", 102) * 1024 * 1024
if BODY_BUDGET_BYTES < MAX_REQUEST_BYTES:
    raise ImproperlyConfigured(
        f"SHUGEL_BODY_BUDGET_MB must hold at least one whole request "
        f"({MAX_REQUEST_BYTES // 2**20 + 1} MB)")
# A large body must keep arriving: one that sends nothing for this long, or averages under
# 8 KB a second after this long, is dropped, so that no one can hold the budget by sending
# slowly.
BODY_STALL_SECONDS = env_int("SHUGEL_BODY_STALL_SECONDS", 60)
if BODY_STALL_SECONDS <= 0:
    raise ImproperlyConfigured("SHUGEL_BODY_STALL_SECONDS must be 1 or more")
# The largest picture accepted, counted from its header before a pixel is decoded
# (intake/uploads.py): a 140 KB PNG can claim 144 megapixels and take gigabytes to open.
SHUGEL_MAX_UPLOAD_PIXELS = env_int("SHUGEL_MAX_UPLOAD_PIXELS", 40_000_000)
if SHUGEL_MAX_UPLOAD_PIXELS <= 0:
    raise ImproperlyConfigured("SHUGEL_MAX_UPLOAD_PIXELS must be 1 or more")
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# The text of a form (files aside; for a form without files, the whole encoded body). A
# long paste up to this size comes back in its form with the field's length message, so
# the reporter keeps it; beyond it, config.middleware answers a page naming the limit. The
# longest field takes 10,000 characters; Django holds a form's text about five times over
# while it reads and answers it, so this stays small (docs/security.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# --- task queue (django-q2 on the database) -----------------------------------------------

Q_CLUSTER = {
    "name": "shugel",
    "orm": "default",
    "workers": env_int("SHUGEL_Q_WORKERS", 1 if not PRODUCTION else 2),
    # A task that runs longer than `timeout` is killed; the broker hands it out again only
    # after `retry`, so a slow task is never run twice at once.
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "ack_failures": True,
    "save_limit": 500,
    "catch_up": False,
    "label": "Task queue",
    "sync": TESTING,
}

# --- security -----------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 on every test login would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "org:home"
LOGOUT_REDIRECT_URL = "landing"

# Two-factor sign-in is required everywhere but on a developer's own machine, where the demo
# logins must work without an authenticator app.
REQUIRE_2FA = env_bool("SHUGEL_REQUIRE_2FA", ENVIRONMENT != "development")
OTP_TOTP_ISSUER = "Shugel"

# Lockout counts failures per username *and* client, so that someone guessing from one place
# cannot lock the head out everywhere. The "address" axes sees is vault.clients' keyed daily
# hash, never the address itself, and the counts live only in the cache for the cool-off
# time: nothing of a failed sign-in (agent, typed name, client) reaches the database or a
# log (docs/security.md).
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env_int("SHUGEL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SHUGEL_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.middleware.signin_client"
AXES_CLIENT_STR_CALLABLE = "config.middleware.signin_client_str"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Short sessions that end after idle time; every request renews the idle window.
SESSION_COOKIE_AGE = env_int("SHUGEL_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SHUGEL_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SHUGEL_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SHUGEL_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SHUGEL_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies cannot be set by any subdomain (see config.middleware).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- language, time, formats --------------------------------------------------------------

LANGUAGE_CODE = "mn"
LANGUAGES = [("mn", _("Mongolian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ulaanbaatar"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION

# --- static files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# The test client starts the middleware anew for every test, and listing every static file
# each time took a quarter of the suite's time: tests leave static files to the live server's
# own handler (pytest-django serves them through django.contrib.staticfiles).
SERVESTATIC_USE_FINDERS = not PRODUCTION and not TESTING
SERVESTATIC_AUTOREFRESH = ENVIRONMENT in ("development", "test")

# --- logging ------------------------------------------------------------------------------

# Log lines name what happened, never who asked: no request objects, addresses or agents.
# SHUGEL_LOG_FORMAT: "json" (one object per line, for a log collector; the default in
# production) or "plain" (for reading on a terminal; the default elsewhere).
LOG_FORMAT = env_str("SHUGEL_LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("SHUGEL_LOG_FORMAT must be json or plain")
LOG_LEVEL = env_str("SHUGEL_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request": {"()": "config.logging.DropRequestDetails"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["no_request"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # uvicorn set up its own handlers before it loaded Django; its lines go through
        # the same handler, filter and format as everything else.
        "uvicorn": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "uvicorn.error": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": False},
        "axes": {"level": "WARNING"},
        # Pillow logs every EXIF tag (owner, camera, GPS) of a photo at DEBUG.
        "PIL": {"level": "INFO"},
        # A variable missing from a template is logged at DEBUG with the page's whole
        # context, decrypted content included.
        "django.template": {"level": "INFO"},
        # python-gnupg logs what gpg writes back at DEBUG.
        "gnupg": {"level": "WARNING"},
    },
}
# Python's warnings (a missing static folder, a deprecation) go through the same handler,
# so they too are one formatted line each instead of raw text on stderr.
logging.captureWarnings(True)
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

SILENCED_SYSTEM_CHECKS = [
    # CSRF protection is on, through a subclass of Django's middleware that the check does
    # not recognise (config.middleware.CsrfNullOriginMiddleware; tests/config/test_csrf.py).
    "security.W003",
]
if not REDIS_URL:
    # axes warns that a local-memory cache is not shared between processes. The embedded
    # deployment runs one server process, which counts every sign-in itself; several server
    # processes need REDIS_URL (docs/deploy.md), as the rate limits do.
    SILENCED_SYSTEM_CHECKS.append("axes.W001")

# --- mail: staff alerts and referrals by email ----------------------------------------------
# No mail server in development: messages are printed, and they carry nothing sensitive
# (alerts say only that something needs attention; referral packages are OpenPGP-encrypted).
EMAIL_BACKEND = env_str(
    "SHUGEL_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION or os.environ.get("EMAIL_HOST")
    else ("django.core.mail.backends.locmem.EmailBackend" if TESTING
          else "django.core.mail.backends.console.EmailBackend"),
)
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("SHUGEL_FROM_EMAIL", "shugel@localhost")
# Links in email to staff point here.
SITE_URL = env_str("SHUGEL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Text messages to staff who ask for them: the class that sends them (notify/sms.py says
# how to add a real gateway). The default writes them to the log.
SMS_BACKEND = env_str("SHUGEL_SMS_BACKEND", "notify.sms.ConsoleSMS")

# --- routing: referral deadlines, delivery and escalation -----------------------------------
# Working days from receipt by which a corruption-related case must be referred on.
REFER_WORKING_DAYS = env_int("SHUGEL_REFER_WORKING_DAYS", 5)
# A unit's monthly report is due this many working days into the following month.
REPORT_DUE_WORKING_DAYS = env_int("SHUGEL_REPORT_DUE_WORKING_DAYS", 5)

# --- retention: how long a closed case's content is kept (lifecycle/retention.py) ---------
# Years after closing; the longest rule that applies to a case wins, and a category may set
# a longer period of its own (Category.retention_years). docs/retention.md gives the reasons.
RETENTION_YEARS = {
    "suggestion": env_int("SHUGEL_RETENTION_SUGGESTION_YEARS", 3),
    "complaint": env_int("SHUGEL_RETENTION_COMPLAINT_YEARS", 5),
    "corruption": env_int("SHUGEL_RETENTION_CORRUPTION_YEARS", 10),
    "referred": env_int("SHUGEL_RETENTION_REFERRED_YEARS", 10),
}
if min(RETENTION_YEARS.values()) < 1:
    raise ImproperlyConfigured("every SHUGEL_RETENTION_*_YEARS must be 1 or more")
# Officers and the head are told this many days before a case's content is destroyed.
RETENTION_WARN_DAYS = env_int("SHUGEL_RETENTION_WARN_DAYS", 30)
if RETENTION_WARN_DAYS < 0:
    raise ImproperlyConfigured("SHUGEL_RETENTION_WARN_DAYS must not be negative")
# Delivery: tries before a referral is given up (dead letter, the head is alerted), and the
# back-off between tries (doubling from the base up to the cap).
REFERRAL_MAX_ATTEMPTS = env_int("SHUGEL_REFERRAL_MAX_ATTEMPTS", 8)
REFERRAL_RETRY_BASE_SECONDS = env_int("SHUGEL_REFERRAL_RETRY_BASE_SECONDS", 30)
REFERRAL_RETRY_MAX_SECONDS = env_int("SHUGEL_REFERRAL_RETRY_MAX_SECONDS", 3600)
# A worker that claims a delivery holds it this long; one that dies lets it go after.
OUTBOX_LEASE_SECONDS = env_int("SHUGEL_OUTBOX_LEASE_SECONDS", 120)
AGENCY_HTTP_TIMEOUT_SECONDS = env_int("SHUGEL_AGENCY_HTTP_TIMEOUT_SECONDS", 20)
# A signed callback older or newer than this is refused (replay protection).
AGENCY_CALLBACK_MAX_SKEW_SECONDS = env_int("SHUGEL_AGENCY_CALLBACK_MAX_SKEW_SECONDS", 300)
# Working days after a missed deadline before it escalates from the head to the parent unit.
ESCALATION_WORKING_DAYS = env_int("SHUGEL_ESCALATION_WORKING_DAYS", 3)
# Working days before a legal deadline on which the unit's officers and heads are reminded
# of it (0: no reminders).
REMINDER_WORKING_DAYS_AHEAD = env_int("SHUGEL_REMINDER_WORKING_DAYS_AHEAD", 2)
if REMINDER_WORKING_DAYS_AHEAD < 0:
    raise ImproperlyConfigured("SHUGEL_REMINDER_WORKING_DAYS_AHEAD must not be negative")
