"""The staging place of a restore (ops/restore.py): the backup is restored beside the target,
checked there, and moved into place only when every check passed. A restore that fails at
any step before that leaves the target as it was and removes what it staged, so it can simply
be run again.

- SQLite: a file `.<name>.restoring-<random>` next to the database file, moved over it with
  one rename.
- PostgreSQL: a database `<name>_restoring_<random>` on the same server (the role needs
  CREATEDB and must own the target database); moving into place renames the empty target
  aside and the staging database to its name in one transaction, then drops the old one.
- Files: a folder `.restoring-<random>` inside MEDIA_ROOT and inside the checkpoint folder
  (inside, so the rename never crosses file systems when the folder is a mount point); each
  of its entries is renamed into the folder above it.
"""

import logging
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, connections

from ops.backup_format import BackupError

STAGING = ".restoring-"
log = logging.getLogger(__name__)


@dataclass
class Staging:
    target: str  # the configured database: SQLite's file or PostgreSQL's database name
    database: str = ""  # the staging database, named the same way
    folders: list[tuple[Path, Path]] = field(default_factory=list)  # (staging, target)

    @property
    def is_sqlite(self) -> bool:
        return connection.vendor == "sqlite"


@contextmanager
def pointed_at(name: str) -> Iterator[None]:
    """The default connection, for the block, opens `name` instead of the configured
    database (a file for SQLite, a database for PostgreSQL)."""
    settings_dict = connection.settings_dict
    configured = settings_dict["NAME"]
    connections.close_all()
    settings_dict["NAME"] = name
    try:
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = configured


def new_staging() -> Staging:
    target = str(connection.settings_dict["NAME"])
    tag = secrets.token_hex(4)
    if connection.vendor == "sqlite":
        path = Path(target)
        return Staging(target, str(path.with_name(f".{path.name}{STAGING}{tag}")))
    return Staging(target, f"{target}_restoring_{tag}"[:63])


def stage_sqlite(staging: Staging, source: Path) -> None:
    partial = Path(staging.database)
    partial.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as reader, open(partial, "xb") as writer:
        os.fchmod(writer.fileno(), 0o600)
        shutil.copyfileobj(reader, writer, 1024 * 1024)
        writer.flush()
        os.fsync(writer.fileno())


def stage_postgres(staging: Staging, source: Path, client: str, env: dict) -> None:
    quoted = connection.ops.quote_name(staging.database)
    try:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted} TEMPLATE template0 ENCODING 'UTF8'")
    except Exception as error:  # noqa: BLE001 - any refusal is told the same way
        staging.database = ""
        raise BackupError(
            f"cannot create the staging database (the role needs CREATEDB): {error}"
        ) from None
    done = subprocess.run(
        [client, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         "--no-password", f"--dbname={staging.database}", str(source)],
        env=env, capture_output=True, text=True,
        timeout=6 * 3600,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): "
                          f"{done.stderr.strip()[-1500:]}")


def stage_file(staging: Staging, top: Path, relative: list[str], source: Path,
               mode: int) -> None:
    """Copy one file of the backup into the staging folder inside `top`."""
    staged = next((staged for staged, target in staging.folders if target == top), None)
    if staged is None:
        staged = top / f"{STAGING}{secrets.token_hex(4)}"
        top.mkdir(mode=0o700, parents=True, exist_ok=True)
        staged.mkdir(mode=0o700)
        staging.folders.append((staged, top))
    destination = staged.joinpath(*relative)
    destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(source, "rb") as reader, open(destination, "xb") as writer:
        os.fchmod(writer.fileno(), mode)
        shutil.copyfileobj(reader, writer, 1024 * 1024)
        writer.flush()
        os.fsync(writer.fileno())


def discard(staging: Staging) -> None:
    """Remove everything staged; the target was never touched. Best effort: it runs while
    another error is on its way out, which must not be hidden by this one."""
    connections.close_all()
    for staged, _target in staging.folders:
        shutil.rmtree(staged, ignore_errors=True)
    if not staging.database:
        return
    if staging.is_sqlite:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{staging.database}{suffix}").unlink(missing_ok=True)
        return
    try:
        with connection._nodb_cursor() as cursor:
            cursor.execute(
                f"DROP DATABASE IF EXISTS {connection.ops.quote_name(staging.database)}"
            )
    except Exception as error:  # noqa: BLE001 - the docs say how to drop it by hand
        log.warning("the staging database %s was not dropped: %s", staging.database, error)


def promote(staging: Staging) -> None:
    """Move the staged files and then the database into place. Should the database's move
    fail, the files go back, and the target is as it was."""
    connections.close_all()
    moved: list[tuple[Path, Path]] = []
    try:
        for staged, target in staging.folders:
            for child in sorted(staged.iterdir()):
                place = target / child.name
                if place.is_dir():
                    _remove_empty_folders(place)
                os.rename(child, place)
                moved.append((place, child))
        if staging.is_sqlite:
            _promote_sqlite(staging)
        else:
            _promote_postgres(staging)
    except BaseException:
        for place, child in reversed(moved):
            os.rename(place, child)
        raise
    for staged, _target in staging.folders:
        staged.rmdir()


def _remove_empty_folders(folder: Path) -> None:
    """The target holds no files (it was checked); its empty folders make way for ours."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        path.rmdir()
    folder.rmdir()


def _promote_sqlite(staging: Staging) -> None:
    target = Path(staging.target)
    # Left by the empty database that was checked; they belong to no data.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        if Path(f"{staging.database}{suffix}").exists():
            os.replace(f"{staging.database}{suffix}", f"{target}{suffix}")
    os.replace(staging.database, target)
    staging.database = ""


def _promote_postgres(staging: Staging) -> None:
    quote = connection.ops.quote_name
    aside = f"{staging.target}_replaced_{secrets.token_hex(4)}"[:63]
    with connection._nodb_cursor() as cursor:
        # Renaming is transactional, dropping is not: the swap is all or nothing.
        cursor.execute("BEGIN")
        cursor.execute(f"ALTER DATABASE {quote(staging.target)} RENAME TO {quote(aside)}")
        cursor.execute(f"ALTER DATABASE {quote(staging.database)} RENAME TO "
                       f"{quote(staging.target)}")
        cursor.execute("COMMIT")
        staging.database = ""
        # The old target held no tables (it was checked): nothing is lost with it. The
        # restore is done whatever happens here.
        try:
            cursor.execute(f"DROP DATABASE {quote(aside)}")
        except Exception as error:  # noqa: BLE001
            log.warning("the empty database set aside as %s was not dropped: %s", aside, error)
