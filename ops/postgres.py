"""PostgreSQL's client programs (pg_dump, pg_restore) for backups and restores: one new
enough for the server, and the connection handed to it in PG* variables."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connection

from ops.backup_format import BackupError


def server_major() -> int:
    connection.ensure_connection()
    version = connection.pg_version  # e.g. 150020
    return version // 10000 if version >= 100000 else version // 100


def find_pg_client(name: str, at_least: int) -> tuple[str, str]:
    """The path and version of `name` (pg_dump, pg_restore) of major version `at_least` or
    newer: SHUGEL_PG_BIN first, then Debian's per-version folders, then the PATH."""
    candidates = []
    if os.environ.get("SHUGEL_PG_BIN"):
        candidates.append(Path(os.environ["SHUGEL_PG_BIN"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{at_least}/bin/{name}"))
    if shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    seen = []
    for path in candidates:
        if not path.is_file() or not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        match = re.search(r"(\d+)(?:\.(\d+))?", out)
        if match and int(match.group(1)) >= at_least:
            return str(path), out
        seen.append(f"{path} ({out or 'no version'})")
    if seen:
        raise BackupError(
            f"{name} is older than the PostgreSQL {at_least} server: " + ", ".join(seen)
            + f"; install postgresql-client-{at_least} or set SHUGEL_PG_BIN to its folder"
        )
    raise BackupError(
        f"{name} is not installed; install the PostgreSQL client (apt-get install "
        f"postgresql-client-{at_least}) or set SHUGEL_PG_BIN to the folder that holds it"
    )


_PG_OPTIONS = {
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "service": "PGSERVICE",
    "passfile": "PGPASSFILE", "options": "PGOPTIONS",
}


def pg_environment(database: dict | None = None) -> dict:
    """The environment for pg_dump and pg_restore: the connection in PG* variables, so no
    password appears on a command line."""
    database = database or connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if database.get(key):
            env[variable] = str(database[key])
    for option, variable in _PG_OPTIONS.items():
        if option in (database.get("OPTIONS") or {}):
            env[variable] = str(database["OPTIONS"][option])
    return env
