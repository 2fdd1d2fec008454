import getpass
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ops import restore, restore_event
from ops.backup_format import BackupError

NO_KEYRING = (
    "The data is restored but cannot be read without the keyring: restore it with "
    "`manage.py keys escrow-import`, then run `manage.py restore {folder} --check`."
)


class Command(BaseCommand):
    help = (
        "Restore a backup into a new, empty installation: checks every checksum first, "
        "refuses a database that has tables or a media folder that has files, restores the "
        "database and the encrypted files, then checks that the keyring matches the backup, "
        "that every record decrypts and that the audit trail verifies. Exit status 0 when all "
        "is well; 1 when refused or something failed; 2 when the data is restored but the "
        "keyring is missing or is not the backup's. See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, metavar="DIR", help="The backup's folder.")
        parser.add_argument(
            "--by", metavar="NAME", default="",
            help="Who runs the restore, as its audit event records it (default: the "
            "operating-system user).",
        )
        parser.add_argument(
            "--check", action="store_true",
            help="Restore nothing: check the installation already restored from DIR (after "
            "'keys escrow-import', for instance).",
        )

    def handle(self, *args, folder, check=False, by="", **options):
        self.by = by.strip() or _os_user()
        try:
            self.run(folder, check)
        except BackupError as error:
            raise CommandError(str(error), returncode=1)
        except (OSError, DatabaseError, sqlite3.Error) as error:
            raise CommandError(f"{type(error).__name__}: {error}", returncode=1)

    def run(self, folder: Path, check: bool) -> None:
        manifest = restore.verify_backup(folder)
        self.stdout.write(
            f"Backup {manifest['name']} of {manifest['created_at']}: "
            f"{len(manifest['files']):,} files match their checksums."
        )
        restore.migration_advice(manifest)
        if not check:
            restore.refuse_unless_clean(manifest)
            restored = restore.restore_staged(folder, manifest, by=self.by)
            self.stdout.write(
                f"Restored the {manifest['engine']} database and {restored.files:,} files; "
                f"row counts match the backup ({len(manifest['counts'])} tables)."
            )
            if restored.audited:
                self.stdout.write(f"The restore is recorded in the audit trail (by {self.by}).")
        else:
            self._compare_counts(manifest)
        pending = restore.pending_migrations()
        if pending:
            self.stdout.write(self.style.WARNING(
                f"The backup's schema is older than this code: run 'manage.py migrate' "
                f"({len(pending)} migrations to apply)."
            ))

        problems = restore.keyring_problems(manifest)
        if problems:
            self.stdout.write(self.style.ERROR(NO_KEYRING.format(folder=folder)))
            for problem in problems:
                self.stdout.write(f"  - {problem}")
            self.stdout.write(f"  The backup needs keyring {manifest['keyring']['id']}.")
            raise CommandError("the keyring is missing or is not the backup's", returncode=2)
        self.stdout.write(f"The keyring matches the backup ({manifest['keyring']['id']}).")
        if check and not pending and restore_event.owed(manifest):
            # The restore itself could not sign its event without the keyring.
            restore_event.record_restore(manifest, by=self.by)
            self.stdout.write(f"The restore is recorded in the audit trail (by {self.by}).")

        records = restore.check_records()
        if records.failed:
            for failure in records.failures:
                self.stdout.write(f"  - {failure}")
            raise CommandError(f"{records.failed:,} records or files do not decrypt",
                               returncode=1)
        self.stdout.write(
            f"Every record decrypts: {records.data_keys:,} data keys, {records.fields:,} sealed "
            f"fields, {records.files:,} files ({records.shredded:,} shredded data keys, "
            "unreadable on purpose)."
        )
        self._verify_audit()
        self.stdout.write(self.style.SUCCESS("Restore check passed."))

    def _compare_counts(self, manifest: dict) -> None:
        differences = restore.count_differences(manifest)
        if differences:
            lines = "\n  ".join(differences)
            self.stdout.write(self.style.WARNING(
                f"Row counts differ from the backup (changed since it was restored?):\n  {lines}"
            ))
        else:
            self.stdout.write(f"Row counts match the backup ({len(manifest['counts'])} tables).")

    def _verify_audit(self) -> None:
        from django.utils import translation

        from audit.services import verify_chain

        # This command speaks English throughout; the explanation must not switch language.
        with translation.override("en"):
            result = verify_chain()
        if not result.ok:
            self.stdout.write(self.style.ERROR(
                f"Audit trail DAMAGED at sequence number {result.first_bad_seq}: "
                f"{result.explanation}"
            ))
            raise CommandError("the audit trail does not verify", returncode=1)
        self.stdout.write(
            f"Audit trail intact: {result.checked:,} events, {result.checkpoints} "
            "checkpoints verified."
        )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
