"""What a backup folder holds, shared by the backup (ops/backup.py) and the restore
(ops/restore.py):

    manifest.json            what is inside, and how to check it (ops/restore.py)
    manifest.json.sha256     the manifest's checksum, in `sha256sum -c` form
    database.sqlite3         SQLite: a copy made with SQLite's online backup API
    database.pgdump          PostgreSQL: `pg_dump -Fc` of one exported snapshot
    media/vault/…            the encrypted attachments and referral packages, as stored
    checkpoints/…            the signed audit checkpoints (they hold public keys only)
"""

import hashlib
from pathlib import Path

FORMAT = "shugel-backup-1"
MANIFEST = "manifest.json"
SIDECAR = "manifest.json.sha256"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA = "media"
CHECKPOINTS = "checkpoints"
COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


def file_digest(path: Path) -> tuple[int, str]:
    """The size and SHA-256 of a file, read a chunk at a time."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
