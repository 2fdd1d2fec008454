import fcntl
import getpass
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.db.models import Count

from vault import escrow
from vault.keyring import (
    PURPOSES,
    Keyring,
    KeyringError,
    keyring_is_inline,
    keyring_path,
    load_keyring,
    reload_keyring,
)
from vault.models import DataKey
from vault.reindex import indexes_needing_reindex, reindex_blind
from vault.rotation import (
    ProgressPrinter,
    data_keys_needing_rewrap,
    key_usage,
    rewrap_data_keys,
)

PASSPHRASE_VARIABLE = "SHUGEL_ESCROW_PASSPHRASE"


class Command(BaseCommand):
    help = (
        "Manage the keyring that protects complaint content. "
        "'generate' makes a new keyring file; 'status' shows its versions (never the keys) and "
        "how many data keys each wrap version protects; 'rotate' adds a new key version and, "
        "for the wrap key re-wraps every data key and for the blind key re-indexes every "
        "record (safe to interrupt and run again); "
        "'remove' deletes an old version once nothing needs it; 'escrow-export' and "
        "'escrow-import' seal the keyring under a passphrase and bring it back. "
        "See docs/security.md and docs/backup.md."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="Write a new keyring to SHUGEL_KEYRING.")
        generate.add_argument(
            "--if-missing", action="store_true",
            help="Do nothing when a keyring already exists (for set-up scripts).",
        )
        sub.add_parser(
            "status",
            help="Show each purpose's key versions and the active one, and the data keys "
            "each wrap version protects.",
        )
        rotate = sub.add_parser(
            "rotate",
            help="Add a new active key version. For 'wrap', re-wrap every data key under it; "
            "an interrupted run resumes when run again.",
        )
        rotate.add_argument("--purpose", choices=sorted(PURPOSES), default="wrap")
        rotate.add_argument(
            "--batch-size", type=int, default=1000,
            help="Data keys re-wrapped, or records re-indexed, per transaction (default 1000).",
        )
        remove = sub.add_parser(
            "remove", help="Remove an old key version; refused while anything still needs it.",
        )
        remove.add_argument("--purpose", choices=sorted(PURPOSES), required=True)
        remove.add_argument("--version", type=int, required=True, dest="key_version")
        export = sub.add_parser(
            "escrow-export",
            help="Write the keyring, encrypted under a passphrase (scrypt, AES-256-GCM), to an "
            "escrow file. Keep it apart from the backups, and the passphrase apart from both.",
        )
        export.add_argument("--out", type=Path, required=True, metavar="FILE")
        export.add_argument("--force", action="store_true", help="Overwrite FILE if it exists.")
        imported = sub.add_parser(
            "escrow-import",
            help="Open an escrow file and write its keyring to SHUGEL_KEYRING (mode 600).",
        )
        imported.add_argument("--in", type=Path, required=True, metavar="FILE", dest="in_file")
        imported.add_argument(
            "--force", action="store_true",
            help="Replace an existing keyring file (the old one is kept beside it, renamed).",
        )
        for parser_ in (export, imported):
            parser_.add_argument(
                "--passphrase-file", type=Path, metavar="FILE",
                help="Read the passphrase from the first line of FILE. Otherwise it comes from "
                f"{PASSPHRASE_VARIABLE}, or is asked for.",
            )
        sub.add_parser(
            "fingerprint",
            help="Show the keyring's fingerprint (key ids, never keys), as escrow files and "
            "backups record it.",
        )

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action.replace('-', '_')}")(**options)

    # -- generate ---------------------------------------------------------------------------

    def handle_generate(self, *, if_missing=False, **options):
        path = keyring_path()
        if path.exists():
            if if_missing:
                self.stdout.write(f"Keyring already present at {path}.")
                return
            raise CommandError(f"A keyring already exists at {path}; refusing to overwrite it.")
        with self._exclusive():
            Keyring.generate().save(path)
        self.stdout.write(self.style.SUCCESS(f"New keyring written to {path}. Back it up now."))

    # -- status -----------------------------------------------------------------------------

    def handle_status(self, **options):
        keyring = self._load()
        for purpose, meaning in PURPOSES.items():
            versions = ", ".join(str(v) for v in keyring.versions(purpose))
            self.stdout.write(
                f"{purpose:8} active {keyring.active_version(purpose)}  versions [{versions}]"
                f"  — {meaning}"
            )
        try:
            live = dict(
                DataKey.objects.live().values_list("wrap_version")
                .annotate(n=Count("id")).order_by()
            )
            shredded = DataKey.objects.shredded().count()
        except DatabaseError:
            self.stdout.write("Data keys: the database is not ready (run 'manage.py migrate').")
            return
        active, known = keyring.active_version("wrap"), set(keyring.versions("wrap"))
        self.stdout.write("Data keys by wrap version:")
        for version in sorted(known | set(live)):
            note = " (active)" if version == active else ""
            if version not in known:
                note = " — MISSING FROM THE KEYRING: these cannot be read"
            self.stdout.write(f"  v{version}: {live.get(version, 0):,} live{note}")
        self.stdout.write(f"  shredded: {shredded:,}")
        behind = sum(n for version, n in live.items() if version != active)
        if behind:
            self.stdout.write(
                f"Rotation unfinished: {behind:,} data keys are wrapped by an older version; "
                "run 'manage.py keys rotate'."
            )

    # -- rotate -----------------------------------------------------------------------------

    def handle_rotate(self, *, purpose, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        with self._exclusive():
            keyring = self._load(writable=True)
            if purpose == "wrap":
                self._rotate_wrap(keyring, batch_size)
                return
            if purpose == "blind" and indexes_needing_reindex():
                self.stdout.write(
                    "Resuming an unfinished re-index. No new key is added this time; run "
                    "'keys rotate --purpose blind' again afterwards for a newer one."
                )
            else:
                self._add_version(keyring, purpose)
            if purpose == "blind":
                self._reindex(keyring, batch_size)
            else:
                self.stdout.write("Older versions stay for what they already protect.")

    def _add_version(self, keyring, purpose):
        # Saved before anything uses it: a crash after this leaves a keyring that still
        # reads everything.
        version = keyring.add_version(purpose)
        keyring.save(keyring_path())
        reload_keyring()
        self.stdout.write(self.style.SUCCESS(
            f"Added {purpose} key version {version} and made it active. Back up the keyring now."
        ))

    def _reindex(self, keyring, batch_size):
        reload_keyring()
        active = keyring.active_version("blind")
        self.stdout.write(
            "New blind indexes use the new version; lookups try every version, so records "
            "indexed before still match while they are re-indexed."
        )
        progress = ProgressPrinter(self.stdout.write, "Re-indexing")
        try:
            done = reindex_blind(batch_size=batch_size, progress=progress)
        except ValueError as error:
            raise CommandError(str(error))
        self.stdout.write(
            f"Re-indexed {done.recomputed:,} blind indexes under blind key version {active} "
            f"({done.cleared:,} of records that can no longer be read were cleared)."
        )
        if done.other:
            self.stdout.write(f"Computed {done.other:,} records of other keyed material again "
                              "(similarity signatures).")
        left = indexes_needing_reindex()
        if left:
            self.stdout.write(self.style.WARNING(
                f"Still behind: {left:,} indexes written by other processes while this ran. "
                "Run 'keys rotate --purpose blind' again to finish."
            ))
            return
        for version in (v for v in keyring.versions("blind") if v != active):
            self.stdout.write(
                f"Once the keyring is backed up: manage.py keys remove --purpose blind "
                f"--version {version}"
            )

    def _rotate_wrap(self, keyring, batch_size):
        # The module-wide keyring must be the file's, which is what gets changed below.
        reload_keyring()
        pending = self._pending(data_keys_needing_rewrap())
        if pending:
            self.stdout.write(
                f"Resuming an unfinished rotation: {pending}. No new key is added this time; "
                "run 'keys rotate' again afterwards for a newer one."
            )
        else:
            self._add_version(keyring, "wrap")
        active = keyring.active_version("wrap")
        progress = ProgressPrinter(self.stdout.write, "Re-wrapping data keys")
        try:
            count = rewrap_data_keys(batch_size=batch_size, progress=progress)
        except KeyringError as error:
            raise CommandError(str(error))
        self.stdout.write(f"Re-wrapped {count:,} data keys under wrap key version {active}.")
        leftover = self._pending(data_keys_needing_rewrap())
        if leftover:
            self.stdout.write(self.style.WARNING(
                f"Still behind: {leftover}, made by other processes while this ran. "
                "Run 'keys rotate' again to finish."
            ))
            return
        old = [v for v in keyring.versions("wrap") if v != active]
        self.stdout.write(f"Every live data key is wrapped by version {active}.")
        for version in old:
            self.stdout.write(
                f"Once the keyring is backed up: manage.py keys remove --purpose wrap "
                f"--version {version}"
            )

    @staticmethod
    def _pending(counts: dict[int, int]) -> str:
        return ", ".join(f"{n:,} data keys on v{v}" for v, n in sorted(counts.items()))

    # -- remove -----------------------------------------------------------------------------

    def handle_remove(self, *, purpose, key_version, **options):
        version = key_version
        with self._exclusive():
            keyring = self._load(writable=True)
            if version not in keyring.versions(purpose):
                raise CommandError(f"The keyring has no {purpose} key version {version}.")
            if version == keyring.active_version(purpose):
                raise CommandError(
                    f"{purpose} key version {version} is the active one; rotate first."
                )
            reload_keyring()
            used = key_usage(purpose, version)
            if used is None:
                raise CommandError(
                    f"Nothing here can tell whether {purpose} key version {version} is still "
                    "needed (what it protected may be read again later), so it is kept."
                )
            if used:
                advice = {
                    "wrap": "run 'manage.py keys rotate' to re-wrap them first",
                    "blind": "run 'manage.py keys rotate --purpose blind' to re-index them first",
                }.get(purpose, "move them to the active version first")
                raise CommandError(
                    f"Refusing: {used:,} items still need {purpose} key version {version}; "
                    f"{advice}."
                )
            keyring.remove_version(purpose, version)
            keyring.save(keyring_path())
            reload_keyring()
        self.stdout.write(self.style.SUCCESS(
            f"Removed {purpose} key version {version}. Back up the keyring now; older backups "
            "of the keyring (and database backups made before the rotation) still need it."
        ))

    # -- escrow -----------------------------------------------------------------------------

    def handle_escrow_export(self, *, out, force=False, passphrase_file=None, **options):
        if out.exists() and not force:
            raise CommandError(f"{out} already exists; refusing to overwrite it (--force).")
        keyring = self._load()
        passphrase = self._passphrase(passphrase_file, confirm=True)
        try:
            escrow.write_file(out, escrow.seal(keyring, passphrase), overwrite=force)
        except escrow.EscrowError as error:
            raise CommandError(str(error))
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.strerror}")
        self.stdout.write(self.style.SUCCESS(f"Keyring escrow written to {out}."))
        self.stdout.write(f"Fingerprint {escrow.describe(escrow.fingerprint(keyring))}")
        self.stdout.write(
            "Keep this file apart from the backups (e.g. offline, in the safe) and the "
            "passphrase apart from both. Export again after every 'keys rotate' or 'keys remove'."
        )

    def handle_escrow_import(self, *, in_file, force=False, passphrase_file=None, **options):
        if keyring_is_inline():
            raise CommandError(
                "The keyring comes from SHUGEL_KEYRING_JSON, which no command can rewrite: "
                "unset it and set SHUGEL_KEYRING to the file to import into."
            )
        path = keyring_path()
        if path.exists() and not force:
            raise CommandError(
                f"A keyring already exists at {path}; refusing to overwrite it (--force keeps "
                "the old one beside it)."
            )
        try:
            data = in_file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {in_file}: {error.strerror}")
        try:
            escrow.read_header(data)
            opened = escrow.open_escrow(data, self._passphrase(passphrase_file, confirm=False))
        except escrow.EscrowError as error:
            raise CommandError(f"{error}. Nothing was written.")
        with self._exclusive():
            kept = None
            if path.exists():
                if not force:
                    raise CommandError(f"A keyring appeared at {path}; refusing to overwrite it.")
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                kept = path.with_name(f"{path.name}.replaced-{stamp}")
                os.replace(path, kept)
            opened.keyring.save(path)
            reload_keyring()
        self.stdout.write(self.style.SUCCESS(
            f"Keyring from the escrow of {opened.created_at} written to {path}."
        ))
        self.stdout.write(f"Fingerprint {escrow.describe(opened.fingerprint)}")
        if kept is not None:
            self.stdout.write(f"The keyring it replaced was kept as {kept}.")

    def handle_fingerprint(self, **options):
        self.stdout.write(f"Fingerprint {escrow.describe(escrow.fingerprint(self._load()))}")

    def _passphrase(self, passphrase_file: Path | None, *, confirm: bool) -> str:
        """From --passphrase-file, else the environment, else asked (twice when exporting)."""
        if passphrase_file is not None:
            try:
                lines = passphrase_file.read_text().splitlines()
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"cannot read the passphrase file {passphrase_file}: {error}")
            passphrase = lines[0] if lines else ""
        elif os.environ.get(PASSPHRASE_VARIABLE):
            passphrase = os.environ[PASSPHRASE_VARIABLE]
        else:
            try:
                passphrase = getpass.getpass("Escrow passphrase: ")
                if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
                    raise CommandError("The two passphrases differ. Nothing was written.")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("No passphrase given. Nothing was written.")
        try:
            escrow.check_passphrase(passphrase)
        except escrow.EscrowError as error:
            raise CommandError(f"{error}. Nothing was written.")
        return passphrase

    # -- helpers ----------------------------------------------------------------------------

    def _load(self, *, writable=False) -> Keyring:
        if writable and keyring_is_inline():
            raise CommandError(
                "The keyring comes from SHUGEL_KEYRING_JSON, which no command can rewrite. "
                "Move it to a file (SHUGEL_KEYRING) to rotate keys."
            )
        try:
            return load_keyring()
        except KeyringError as error:
            raise CommandError(str(error))

    @contextmanager
    def _exclusive(self):
        """One keys command at a time: two rotations at once would each write a different
        new key under the same version number, and lose one."""
        path = keyring_path()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CommandError("Another 'keys' command is running; try again when it ends.")
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
