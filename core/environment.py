"""Reading settings from the environment: small typed helpers that fail loudly on a bad
value, the database URL, and production's refusal of insecure defaults.

config/settings.py decides; this module only reads and checks. It imports nothing of
Django but its ImproperlyConfigured, so settings can use it before Django is set up. A bad
value stops the process with the variable's name in the message, never a silent default.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# The checkout: relative SQLite paths are relative to it.
BASE_DIR = Path(__file__).resolve().parent.parent


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


def env_url(name: str) -> str:
    """An absolute http(s) address without its trailing slash, or "" when not set."""
    value = env_str(name).strip().rstrip("/")
    parts = urlsplit(value)
    if value and (parts.scheme not in {"http", "https"} or not parts.netloc
                  or parts.query or parts.fragment):
        raise ImproperlyConfigured(f"{name} must be an address like https://shugel.example.mn")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def require(condition: bool, message: str) -> None:
    """Refuse to start, saying why, unless `condition` holds (a count out of its range)."""
    if not condition:
        raise ImproperlyConfigured(message)


def _connection_age() -> int:
    """Seconds a database connection is kept between requests (SHUGEL_DB_CONN_MAX_AGE; 0
    closes it after each request). Checked before reuse (CONN_HEALTH_CHECKS), so a
    restarted PostgreSQL costs one reconnection, not an error."""
    age = env_int("SHUGEL_DB_CONN_MAX_AGE", 300)
    require(age >= 0, "SHUGEL_DB_CONN_MAX_AGE must be 0 or more")
    return age


def database_from_url(url: str) -> dict:
    """Turns `sqlite:///path` or `postgres://user:pass@host:port/name` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///var/x.db is relative to the checkout; sqlite:////abs/x.db is absolute.
        path = Path(unquote(parts.path)[1:])
        name = path if path.is_absolute() else BASE_DIR / path
        return {
            # Django's, creating the file owner-only (core/sqlite3/base.py).
            "ENGINE": "core.sqlite3",
            "NAME": name,
            # Django's default for SQLite, said aloud: pytest-django knows only Django's own
            # engine as SQLite and would otherwise put a file per worker at ./test_<NAME>_gw0.
            "TEST": {"NAME": ":memory:"},
            # Kept between requests: closing the last connection to the file checkpoints
            # the write-ahead log and deletes it, and the next request makes it again
            # (core/handlers.py keeps the threads the connections belong to).
            "CONN_MAX_AGE": _connection_age(),
            "CONN_HEALTH_CHECKS": True,
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
            # Django's, reading timestamps with psycopg's compiled loader (core/postgresql/base.py).
            "ENGINE": "core.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": _connection_age(),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def redis_url(url: str, *, testing: bool) -> str:
    """REDIS_URL as given, but for a test worker of a parallel run ("gw0", "gw1", ...) its
    own database: the tests empty the cache (FLUSHDB) and listen on channel groups named by
    unit, so workers sharing one would see each other's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not (url and testing and worker):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + int(worker.removeprefix("gw"))
    if number > 15:
        raise ImproperlyConfigured(f"test worker {worker} needs Redis database {number}: "
                                   "run fewer workers or start from a lower database")
    return parts._replace(path=f"/{number}").geturl()


def cache_and_channel_layers(url: str) -> tuple[dict, dict]:
    """Django's CACHES and channels' CHANNEL_LAYERS: both on Redis when there is one, so
    every process shares the rate limits and pushes to every page; in-process otherwise."""
    if not url:
        return ({"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
                {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}})
    return ({"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": url, "KEY_PREFIX": "shugel",
                         # One pool a process, not one a request (core/redis_pool.py).
                         "OPTIONS": {"pool_class": "core.redis_pool.SharedConnectionPool"}}},
            {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                         "CONFIG": {"hosts": [url], "prefix": "shugel"}}})


def refuse_insecure_production(*, secret_key: str, insecure_key: str, debug: bool,
                               allowed_hosts: list[str]) -> None:
    """Production does not start on a development default: every problem is named at once,
    so one failed start tells the operator all there is to fix."""
    problems = []
    if secret_key == insecure_key or len(secret_key) < 50:
        problems.append("SECRET_KEY must be set to a random value of 50 characters or more")
    if debug:
        problems.append("DEBUG must be off")
    if not allowed_hosts:
        problems.append("ALLOWED_HOSTS must name the site's host")
    if not os.environ.get("DATABASE_URL"):
        problems.append("DATABASE_URL must be set")
    if not (os.environ.get("SHUGEL_KEYRING") or os.environ.get("SHUGEL_KEYRING_JSON")):
        problems.append("SHUGEL_KEYRING or SHUGEL_KEYRING_JSON must point to the keyring")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))
