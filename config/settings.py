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

from django.utils.translation import gettext_lazy as _

from core.environment import (
    cache_and_channel_layers,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    redis_url,
    refuse_insecure_production,
    require,
)
from core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

# --- which deployment ---------------------------------------------------------------------

# pytest imports itself before it reads settings; the suite then runs with test settings
# even when SHUGEL_ENV is not set by hand.
ENVIRONMENT = env_str("SHUGEL_ENV") or ("test" if "pytest" in sys.modules else "development")
require(ENVIRONMENT in {"development", "test", "production"},
        "SHUGEL_ENV must be development, test or production")
PRODUCTION = ENVIRONMENT == "production"
TESTING = ENVIRONMENT == "test"

DATA_DIR = Path(env_str("SHUGEL_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEV_SECRET_KEY = "django-insecure-shugel-development-only-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", ENVIRONMENT == "development")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    refuse_insecure_production(secret_key=SECRET_KEY, insecure_key=DEV_SECRET_KEY, debug=DEBUG,
                               allowed_hosts=ALLOWED_HOSTS)

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
    # Shugel's own apps (docs/architecture.md gives their order).
    "core", "org", "vault", "audit", "outbox", "intake", "routing", "lifecycle", "notify",
    "reporting", "surveys", "plans", "outreach", "ops",
]
if not PRODUCTION:
    # The stand-in agency and its `manage.py agency_standin`: for a developer's machine and
    # the tests, never for production.
    INSTALLED_APPS.append("devtools")
if TESTING:
    # Record models that exist only for the vault's tests (tests/vault/sealed_app).
    INSTALLED_APPS.append("tests.vault.sealed_app")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # servestatic's, passed by every request that is not for a static file.
    "core.middleware.StaticFilesMiddleware",
    "core.middleware.PrivacyHeadersMiddleware",
    "core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF's check, which is where a form is first read.
    "core.middleware.FormTooLargeMiddleware",
    "core.middleware.CsrfNullOriginMiddleware",
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

# Plain inputs are written in Python, the same markup as the templates (core/rendering.py).
FORM_RENDERER = "core.rendering.FormRenderer"

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
                "core.context_processors.language_links",
                "notify.context_processors.live_notifications",
            ],
        },
    },
]

# --- data ---------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'shugel.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Without Redis: the in-process cache and channel layer (one process serves everything).
REDIS_URL = redis_url(env_str("REDIS_URL"), testing=TESTING)
CACHES, CHANNEL_LAYERS = cache_and_channel_layers(REDIS_URL)

# The database path of live notifications (seconds; 0 = off). With the in-process channel
# layer, a notification made in the task worker cannot be pushed to the web process: one
# watcher per server process (notify.watch) looks for it every 0.02 s (0.05 s on a database
# other than a SQLite file), and this is how often it checks that the people with a page open
# still hold a role. With Redis every process pushes; pages read the table only if it fails.
NOTIFY_POLL_SECONDS = env_int("SHUGEL_NOTIFY_POLL_SECONDS", 0 if REDIS_URL else 2)

# The keyring lives outside the database and outside SECRET_KEY (see docs/security.md).
KEYRING_PATH = Path(env_str("SHUGEL_KEYRING", str(DATA_DIR / "keyring.json")))
MEDIA_ROOT = Path(env_str("SHUGEL_MEDIA_ROOT", str(DATA_DIR / "media")))

# Uploads stay in memory, never in a plain-text temporary file (intake/uploads.py). Under
# ASGI, Django first reads the whole body into a buffer that spills to disk above
# FILE_UPLOAD_MAX_MEMORY_SIZE, so that is set to the largest body accepted at all, and
# core.http_limits refuses anything larger before reading it.
FILE_UPLOAD_HANDLERS = ["intake.uploads.LimitedMemoryUploadHandler"]
MAX_REQUEST_BYTES = 5 * 10 * 1024 * 1024 + 256 * 1024
# HTTP requests one server process runs at once (core.http_limits: the rest wait, a POST
# first); each holds a thread and, on PostgreSQL, a connection. Many at once fight over the
# GIL, and one holding a lock all need (SQLite's, the audit chain's head) crawls until the
# writers behind it time out ("database is locked"). 0 = no limit.
MAX_REQUESTS_IN_FLIGHT = env_int("SHUGEL_MAX_REQUESTS_IN_FLIGHT", 4)
require(MAX_REQUESTS_IN_FLIGHT >= 0, "SHUGEL_MAX_REQUESTS_IN_FLIGHT must be 0 (no limit) or more")
# Receipt hashes (Argon2id, 19 MiB each) one process makes at once (docs/security.md).
RECEIPT_HASHES_AT_ONCE = env_int("SHUGEL_RECEIPT_HASHES_AT_ONCE", os.cpu_count() or 1)
require(RECEIPT_HASHES_AT_ONCE >= 1, "SHUGEL_RECEIPT_HASHES_AT_ONCE must be 1 or more")
# Bytes of large request bodies (1 MiB and more) one process holds at once, arriving or
# waiting for their turn (core.http_limits): without it, each connection sending a 50 MB body
# would add 50 MB however many there were. A body that does not fit waits, unread, until
# one ahead of it is done. Two of the largest bodies at once, by default: while Django reads
# a form, it holds its text two to five times over (tests/faults/test_body_budget.py).
BODY_BUDGET_BYTES = env_int("SHUGEL_BODY_BUDGET_MB", 102) * 1024 * 1024
require(BODY_BUDGET_BYTES >= MAX_REQUEST_BYTES, "SHUGEL_BODY_BUDGET_MB must hold at least one "
        f"whole request ({MAX_REQUEST_BYTES // 2**20 + 1} MB)")
# A large body must keep arriving: one that sends nothing for this long, or averages under
# 8 KB a second after this long, is dropped, so that no one can hold the budget by sending
# slowly.
BODY_STALL_SECONDS = env_int("SHUGEL_BODY_STALL_SECONDS", 60)
require(BODY_STALL_SECONDS > 0, "SHUGEL_BODY_STALL_SECONDS must be 1 or more")
# The largest picture accepted, counted from its header before a pixel is decoded
# (intake/uploads.py): a 140 KB PNG can claim 144 megapixels and take gigabytes to open.
SHUGEL_MAX_UPLOAD_PIXELS = env_int("SHUGEL_MAX_UPLOAD_PIXELS", 40_000_000)
require(SHUGEL_MAX_UPLOAD_PIXELS > 0, "SHUGEL_MAX_UPLOAD_PIXELS must be 1 or more")
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# The text of a form (files aside; for a form without files, the whole encoded body). A
# long paste up to this size comes back in its form with the field's length message, so
# the reporter keeps it; beyond it, core.middleware answers a page naming the limit. The
# longest field takes 10,000 characters; Django holds a form's text about five times over
# while it reads and answers it, so this stays small (docs/security.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# --- task queue (django-q2 on the database) -----------------------------------------------

Q_CLUSTER = {
    "name": "shugel", "orm": "default", "label": "Task queue", "sync": TESTING,
    "workers": env_int("SHUGEL_Q_WORKERS", 1 if not PRODUCTION else 2),
    # A task that runs longer than `timeout` is killed; the broker hands it out again only
    # after `retry`, so a slow task is never run twice at once.
    "timeout": 120, "retry": 180,
    "max_attempts": 5, "ack_failures": True, "save_limit": 500, "catch_up": False,
}

# --- security -----------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 on every test login, and at full cost on every receipt code, would dominate the
    # suite's time; everywhere else intake.receipts uses OWASP's minimum (tests check both).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    RECEIPT_HASH_COST = (1, 1024)  # Argon2id time cost, memory in KiB

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
AXES_CLIENT_IP_CALLABLE = "vault.clients.signin_client"
AXES_CLIENT_STR_CALLABLE = "vault.clients.signin_client_str"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Short sessions that end after idle time. A signed-in request renews the idle window,
# writing the session at most once a minute (core.middleware.SessionMiddleware), not on
# every page: a session ends 29 to 30 minutes after its last request.
SESSION_COOKIE_AGE = env_int("SHUGEL_SESSION_IDLE_MINUTES", 30) * 60
SESSION_RENEW_SECONDS = 60
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
    # __Host- cookies cannot be set by any subdomain (see core.middleware).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# The site's own files only; no inline script or style, no plugins, no framing.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
    "img-src": ["'self'", "data:"], "font-src": ["'self'"], "connect-src": ["'self'"],
    "object-src": ["'none'"], "base-uri": ["'none'"], "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}}

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
require(LOG_FORMAT in {"json", "plain"}, "SHUGEL_LOG_FORMAT must be json or plain")
LOG_LEVEL = env_str("SHUGEL_LOG_LEVEL", "INFO")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
# Python's warnings (a missing static folder, a deprecation) go through the same handler,
# so they too are one formatted line each instead of raw text on stderr.
logging.captureWarnings(True)
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

SILENCED_SYSTEM_CHECKS = [
    # CSRF protection is on, through a subclass of Django's middleware that the check does
    # not recognise (core.middleware.CsrfNullOriginMiddleware; tests/core/test_csrf.py).
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
# Posters: the address citizens reach the site at (never guessed: no poster without it) and
# the Anti-Corruption Agency's hotline.
PUBLIC_URL, AGENCY_HOTLINE = env_url("SHUGEL_PUBLIC_URL"), env_str("SHUGEL_AGENCY_HOTLINE", "110")
SCREEN_REFRESH_SECONDS = env_int("SHUGEL_SCREEN_REFRESH_SECONDS", 60)  # the hall screen reads
# Text messages to staff who ask for them: the class that sends them (notify/sms.py says
# how to add a real gateway). The default writes them to the log.
SMS_BACKEND = env_str("SHUGEL_SMS_BACKEND", "notify.sms.ConsoleSMS")

# --- routing: referral deadlines, delivery and escalation -----------------------------------
# Working days from receipt by which a corruption-related case must be referred on.
REFER_WORKING_DAYS = env_int("SHUGEL_REFER_WORKING_DAYS", 5)
# A unit's monthly report is due this many working days into the following month.
REPORT_DUE_WORKING_DAYS = env_int("SHUGEL_REPORT_DUE_WORKING_DAYS", 5)
TRIAGE_PRECISION_MARGIN = env_int("SHUGEL_TRIAGE_PRECISION_POINTS", 2) / 100  # routing/learning
TRIAGE_FIRST_PRECISION_FLOOR = env_int("SHUGEL_TRIAGE_FIRST_PRECISION_FLOOR", 70) / 100

# --- retention: how long a closed case's content is kept (lifecycle/retention.py) ---------
# Years after closing; the longest rule that applies to a case wins, and a category may set
# a longer period of its own (Category.retention_years). docs/retention.md gives the reasons.
RETENTION_YEARS = {
    "suggestion": env_int("SHUGEL_RETENTION_SUGGESTION_YEARS", 3),
    "complaint": env_int("SHUGEL_RETENTION_COMPLAINT_YEARS", 5),
    "corruption": env_int("SHUGEL_RETENTION_CORRUPTION_YEARS", 10),
    "referred": env_int("SHUGEL_RETENTION_REFERRED_YEARS", 10),
}
require(min(RETENTION_YEARS.values()) >= 1, "every SHUGEL_RETENTION_*_YEARS must be 1 or more")
# Officers and the head are told this many days before a case's content is destroyed.
RETENTION_WARN_DAYS = env_int("SHUGEL_RETENTION_WARN_DAYS", 30)
require(RETENTION_WARN_DAYS >= 0, "SHUGEL_RETENTION_WARN_DAYS must not be negative")
# Delivery: tries before a referral is a dead letter; the doubling back-off's base and cap.
# Complaints further apart than this are never suggested as one matter (intake.matters).
MATTER_WINDOW_DAYS = env_int("SHUGEL_MATTER_WINDOW_DAYS", 90)
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
# Working days before a legal deadline that its reminders go out (0: no reminders).
REMINDER_WORKING_DAYS_AHEAD = env_int("SHUGEL_REMINDER_WORKING_DAYS_AHEAD", 2)
require(REMINDER_WORKING_DAYS_AHEAD >= 0,
        "SHUGEL_REMINDER_WORKING_DAYS_AHEAD must not be negative")
