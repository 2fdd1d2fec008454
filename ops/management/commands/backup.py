import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ops.backup import BackupError, write_backup
from vault.errors import KeyringError


class Command(BaseCommand):
    help = (
        "Write a backup: a consistent snapshot of the database (SQLite's online backup API, "
        "or pg_dump -Fc) and of the encrypted files, with a manifest of checksums, row counts, "
        "migrations and the ids of the keys the data needs. The keyring is never included: "
        "keep it with 'keys escrow-export', apart from the backups. See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", type=Path, metavar="DIR",
            help="The new backup's folder (default: DATA_DIR/backups/<UTC time>). It must "
            "not exist yet, or be empty.",
        )

    def handle(self, *args, out=None, **options):
        try:
            written = write_backup(out)
        except KeyringError as error:
            raise CommandError(
                f"No backup was written: the keyring cannot be read ({error.detail})."
            )
        except BackupError as error:
            raise CommandError(f"No backup was written: {error}")
        except (OSError, DatabaseError, sqlite3.Error) as error:
            raise CommandError(f"No backup was written: {type(error).__name__}: {error}")
        manifest = written.manifest
        counts = manifest["counts"]
        self.stdout.write(self.style.SUCCESS(f"Backup written to {written.path}"))
        self.stdout.write(
            f"  {manifest['engine']} database, {manifest['totals']['files']:,} files, "
            f"{manifest['totals']['bytes']:,} bytes; {counts.get('intake.complaint', 0):,} "
            f"complaints, {counts.get('audit.auditevent', 0):,} audit events, "
            f"{manifest['data_keys']['live']:,} live data keys"
        )
        self.stdout.write(f"  manifest sha256 {written.manifest_sha256}")
        self.stdout.write(
            f"  needs keyring {manifest['keyring']['id']} (not in the backup: keep its escrow "
            "file apart from the backups)"
        )
