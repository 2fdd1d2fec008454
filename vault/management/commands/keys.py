from django.core.management.base import BaseCommand, CommandError

from vault.keyring import PURPOSES, Keyring, KeyringError, keyring_path, load_keyring


class Command(BaseCommand):
    help = (
        "Manage the keyring that protects complaint content. "
        "'generate' makes a new keyring file; 'status' shows its versions (never the keys)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="Write a new keyring to SHUGEL_KEYRING.")
        generate.add_argument(
            "--if-missing", action="store_true",
            help="Do nothing when a keyring already exists (for set-up scripts).",
        )
        sub.add_parser("status", help="Show each purpose's key versions and the active one.")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_generate(self, *, if_missing=False, **options):
        path = keyring_path()
        if path.exists():
            if if_missing:
                self.stdout.write(f"Keyring already present at {path}.")
                return
            raise CommandError(f"A keyring already exists at {path}; refusing to overwrite it.")
        Keyring.generate().save(path)
        self.stdout.write(self.style.SUCCESS(f"New keyring written to {path}. Back it up now."))

    def handle_status(self, **options):
        try:
            keyring = load_keyring()
        except KeyringError as error:
            raise CommandError(str(error))
        for purpose, meaning in PURPOSES.items():
            versions = ", ".join(str(v) for v in keyring.versions(purpose))
            self.stdout.write(
                f"{purpose:8} active {keyring.active_version(purpose)}  versions [{versions}]"
                f"  — {meaning}"
            )
