import fcntl
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.db.models import Count

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
from vault.rotation import (
    ProgressPrinter,
    data_keys_needing_rewrap,
    key_usage,
    rewrap_data_keys,
)


class Command(BaseCommand):
    help = (
        "Manage the keyring that protects complaint content. "
        "'generate' makes a new keyring file; 'status' shows its versions (never the keys) and "
        "how many data keys each wrap version protects; 'rotate' adds a new key version and, "
        "for the wrap key, re-wraps every data key (safe to interrupt and run again); "
        "'remove' deletes an old version once nothing needs it. See docs/security.md."
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
            help="Data keys re-wrapped per transaction (default 1000).",
        )
        remove = sub.add_parser(
            "remove", help="Remove an old key version; refused while anything still needs it.",
        )
        remove.add_argument("--purpose", choices=sorted(PURPOSES), required=True)
        remove.add_argument("--version", type=int, required=True, dest="key_version")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

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
            version = keyring.add_version(purpose)
            keyring.save(keyring_path())
            reload_keyring()
        self.stdout.write(self.style.SUCCESS(
            f"Added {purpose} key version {version} and made it active. Back up the keyring now."
        ))
        if purpose == "blind":
            self.stdout.write(
                "New blind indexes use the new version; lookups try every version, so records "
                "indexed before still match until they are re-indexed."
            )
        else:
            self.stdout.write("Older versions stay for what they already protect.")

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
            # Saved before any data key uses it: a crash after this leaves a keyring that
            # still reads everything.
            version = keyring.add_version("wrap")
            keyring.save(keyring_path())
            reload_keyring()
            self.stdout.write(self.style.SUCCESS(
                f"Added wrap key version {version} and made it active. Back up the keyring now."
            ))
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
                    "blind": "re-index those records under the active version first",
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
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CommandError("Another 'keys' command is running; try again when it ends.")
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
