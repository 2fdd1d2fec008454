"""A migrated SQLite file for an installation that a test starts in processes of its own.

Such a test (a real server, a worker killed mid-task, a writer whose files are scanned) used
to run `manage.py migrate` from nothing: 8 s of a core each, for a dozen tests in each run of
the suite. `migrated_copy` puts at the installation's database path a copy of a file
migrated that way once per source tree (var/test-databases/installed-<key>.sqlite3, keyed as
tests/dbtemplate.py keys its own). The installation's own `migrate` still runs, as its
documented set-up says: it finds nothing to apply and runs post_migrate with the
installation's settings (the schedules, the audit trail's triggers), in 1.4 s.

The file is made by `manage.py migrate` in a process of its own, with no setting of the test
run, so it holds what a new installation's database holds and nothing else: the migrations'
seed rows, no keyring-dependent row, no record of any test.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from tests.dbtemplate import FOLDER, ROOT, _exclusive, keep, source_key

PREFIX = "installed-"


@cache
def _key() -> str:
    return source_key()


def migrated_copy(path: Path | str) -> Path:
    """Put at `path` (a new file, or one to replace) a database migrated from nothing, made
    once per source tree; returns the path."""
    path = Path(path)
    FOLDER.mkdir(parents=True, exist_ok=True)
    template = FOLDER / f"{PREFIX}{_key()}.sqlite3"
    with _exclusive(FOLDER / ".installed.lock"):
        if not template.exists():
            _migrate_from_nothing(template)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(template, path)
    os.chmod(path, 0o600)  # as migrate makes it (tests/core/test_file_modes.py)
    return path


def database_path(env: dict) -> Path:
    """The SQLite file an installation's environment names, as config/settings.py reads it."""
    url = env.get("DATABASE_URL") or f"sqlite:///{Path(env['SHUGEL_DATA_DIR']) / 'shugel.sqlite3'}"
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite file: {url}")
    return Path(url.removeprefix("sqlite:///"))


def _migrate_from_nothing(template: Path) -> None:
    own = ("SHUGEL_", "DJANGO_", "DATABASE_URL", "REDIS_URL", "PYTEST", "DEBUG")
    with tempfile.TemporaryDirectory(prefix="shugel-installed-") as folder:
        made = Path(folder) / "shugel.sqlite3"
        env = {name: value for name, value in os.environ.items() if not name.startswith(own)}
        env.update(SHUGEL_ENV="development", DEBUG="false", SHUGEL_DATA_DIR=folder,
                   DATABASE_URL=f"sqlite:///{made}")
        done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"migrating a new SQLite file failed: {done.stderr[-2000:]}")
        # One self-contained file, whatever journal the migration left beside it.
        source = sqlite3.connect(made)
        try:
            keep(source, template, older=f"{PREFIX}*.sqlite3")
        finally:
            source.close()
