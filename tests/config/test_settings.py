"""Settings are read from the environment; production refuses to start on insecure defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.environment import database_from_url

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x" * 20 + "-production-secret-" + "y" * 30


def run_manage(*args, env_overrides, tmp_path):
    skip = ("SHUGEL_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update({"SHUGEL_DATA_DIR": str(tmp_path)}, **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )


def production_env(tmp_path, **extra):
    keyring = tmp_path / "keyring.json"
    from vault.keyring import Keyring

    Keyring.generate().save(keyring)
    env = {
        "SHUGEL_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "shugel.example.mn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHUGEL_KEYRING": str(keyring),
    }
    env.update(extra)
    return env


def test_production_refuses_to_start_on_insecure_defaults(tmp_path):
    result = run_manage("check", env_overrides={"SHUGEL_ENV": "production"}, tmp_path=tmp_path)
    assert result.returncode != 0
    for problem in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SHUGEL_KEYRING"):
        assert problem in result.stderr


def test_production_refuses_debug(tmp_path):
    env = production_env(tmp_path, DEBUG="true")
    result = run_manage("check", env_overrides=env, tmp_path=tmp_path)
    assert result.returncode != 0 and "DEBUG must be off" in result.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("SHUGEL_RETENTION_COMPLAINT_YEARS", "0", "every SHUGEL_RETENTION_*_YEARS must be 1 or more"),
    ("SHUGEL_RETENTION_WARN_DAYS", "-1", "SHUGEL_RETENTION_WARN_DAYS must not be negative"),
    ("SHUGEL_MAX_REQUESTS_IN_FLIGHT", "-2", "SHUGEL_MAX_REQUESTS_IN_FLIGHT must be 0"),
    ("SHUGEL_RECEIPT_HASHES_AT_ONCE", "0", "SHUGEL_RECEIPT_HASHES_AT_ONCE must be 1 or more"),
    ("SHUGEL_BODY_BUDGET_MB", "10", "SHUGEL_BODY_BUDGET_MB must hold at least one whole"),
    ("SHUGEL_MAX_UPLOAD_PIXELS", "0", "SHUGEL_MAX_UPLOAD_PIXELS must be 1 or more"),
    ("SHUGEL_BODY_STALL_SECONDS", "0", "SHUGEL_BODY_STALL_SECONDS must be 1 or more"),
])
def test_a_count_out_of_range_is_refused_with_its_name(tmp_path, name, value, message):
    result = run_manage("check", env_overrides={name: value}, tmp_path=tmp_path)
    assert result.returncode != 0 and message in result.stderr


@pytest.mark.own_sqlite
@pytest.mark.slow  # a whole Django process of its own
def test_production_passes_the_deployment_check_without_a_warning(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_overrides=production_env(tmp_path), tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def _installed(env: dict) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(*s.INSTALLED_APPS)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    return result.stdout.split()


def test_the_development_tools_are_never_installed_in_production(tmp_path):
    assert "devtools" in _installed({**os.environ, "SHUGEL_ENV": "development"})
    assert "devtools" not in _installed({**os.environ, **production_env(tmp_path)})


def test_outside_tests_passwords_are_hashed_with_argon2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c",
         "import config.settings as s; print(s.PASSWORD_HASHERS[0])"],
        cwd=ROOT, env={**os.environ, "SHUGEL_ENV": "development"}, capture_output=True,
        text=True, check=True,
    )
    assert result.stdout.strip().endswith("Argon2PasswordHasher")


@pytest.mark.slow  # a whole Django process of its own
def test_outside_tests_receipt_codes_are_hashed_at_owasps_minimum(tmp_path):
    for env in ({"SHUGEL_ENV": "development"}, production_env(tmp_path)):
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); "
             "from intake.receipts import hash_cost; print(*hash_cost())"],
            cwd=ROOT, env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True, text=True, check=True,
        )
        time_cost, memory_kib = map(int, result.stdout.split())
        assert time_cost >= 2 and memory_kib >= 19 * 1024


def test_a_bad_boolean_is_refused_loudly(tmp_path):
    result = run_manage(
        "check", env_overrides={"SHUGEL_REQUIRE_2FA": "perhaps"}, tmp_path=tmp_path
    )
    assert result.returncode != 0 and "SHUGEL_REQUIRE_2FA must be true or false" in result.stderr


def test_sqlite_urls_give_wal_and_immediate_transactions(tmp_path):
    db = database_from_url(f"sqlite:///{tmp_path}/x.sqlite3")
    assert db["NAME"] == tmp_path / "x.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] > 0


def test_relative_sqlite_urls_are_relative_to_the_checkout():
    assert database_from_url("sqlite:///var/db.sqlite3")["NAME"] == ROOT / "var" / "db.sqlite3"


def test_postgres_urls_are_parsed():
    db = database_from_url("postgres://shugel:s%40cret@db.internal:5433/shugel?sslmode=require")
    assert db["ENGINE"] == "core.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "shugel", "s@cret", "db.internal", "5433", "shugel")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_unknown_database_schemes_are_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://root@localhost/x")


@pytest.mark.own_sqlite
@pytest.mark.slow  # a whole Django process of its own
def test_the_embedded_deployment_uses_sqlite_wal_on_disk(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c",
         "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
         "django.setup(); from django.db import connection;"
         "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
         "from django.conf import settings; print(settings.CHANNEL_LAYERS['default']['BACKEND']);"
         "print(settings.Q_CLUSTER['timeout'] < settings.Q_CLUSTER['retry'],"
         " settings.Q_CLUSTER['max_attempts'])"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        | {"SHUGEL_ENV": "development", "SHUGEL_DATA_DIR": str(tmp_path)},
    )
    mode, layer, queue = result.stdout.split("\n")[:3]
    assert mode == "wal"
    assert layer == "channels.layers.InMemoryChannelLayer"
    assert queue == "True 5"
