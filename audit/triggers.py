"""Database triggers that refuse UPDATE and DELETE on the audit tables (and TRUNCATE on
PostgreSQL), so that not even a direct SQL session can quietly change a record.

Someone with full control of the database can still drop the triggers; what they do then is
caught by verification (HMAC chain and signed checkpoints). The triggers stop accidents and
casual edits, and make tampering a deliberate, visible act.

Both vendors raise an integrity error (SQLite: RAISE(ABORT) is a constraint failure;
PostgreSQL: SQLSTATE 23001 restrict_violation), which Django reports as IntegrityError.
The SQL is fixed here rather than derived from the models: migrations that installed it must
keep meaning the same thing.
"""

from django.core.exceptions import ImproperlyConfigured

TABLES = ("audit_auditevent", "audit_checkpoint")
REFUSAL = "the audit trail is append-only"


def _triggers(vendor: str) -> list[tuple[str, str]]:
    """(trigger name, table) pairs."""
    suffixes = ("no_update", "no_delete") if vendor == "sqlite" else ("append_only", "no_truncate")
    return [(f"{table}_{suffix}", table) for table in TABLES for suffix in suffixes]


def _sqlite_install() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {op.upper()} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: {op.upper()} on {table} refused'); END"
        for table in TABLES
        for op in ("update", "delete")
    ]


def _postgresql_install() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{REFUSAL}: % on % refused', TG_OP, TG_TABLE_NAME "
        "USING ERRCODE = 'restrict_violation'; "
        "END $$"
    ]
    for table in TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        ]
    return statements


def _check_vendor(connection) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise ImproperlyConfigured(
            f"the audit trail's triggers exist for SQLite and PostgreSQL, not {connection.vendor}"
        )
    return connection.vendor


def install(connection) -> None:
    """Create the triggers (again, if they already exist)."""
    vendor = _check_vendor(connection)
    statements = _sqlite_install() if vendor == "sqlite" else _postgresql_install()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def remove(connection) -> None:
    """Drop the triggers. For migrations going backwards, and for tests that must tamper."""
    vendor = _check_vendor(connection)
    with connection.cursor() as cursor:
        for name, table in _triggers(vendor):
            on_table = "" if vendor == "sqlite" else f" ON {table}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on_table}")
        if vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


def installed(connection) -> bool:
    vendor = _check_vendor(connection)
    expected = {name for name, _table in _triggers(vendor)}
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        found = {row[0] for row in cursor.fetchall()}
    return expected <= found
