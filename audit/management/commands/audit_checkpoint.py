from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import export_dir
from audit.services import make_checkpoint
from vault.keyring import KeyringError


class Command(BaseCommand):
    help = (
        "Sign the audit chain's head now, store the checkpoint and write its file to "
        "DATA_DIR/checkpoints/. The worker also does this every hour when events were added."
    )

    def handle(self, *args, **options):
        try:
            checkpoint = make_checkpoint()
        except KeyringError as error:
            raise CommandError(f"cannot sign a checkpoint: {error}")
        self.stdout.write(self.style.SUCCESS(
            f"Checkpoint of event {checkpoint.seq} signed with key version "
            f"{checkpoint.sign_key_version}; written to {export_dir() / checkpoint.file_name}"
        ))
