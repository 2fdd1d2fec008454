from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from audit.checkpoints import export_dir
from audit.services import make_checkpoint
from vault.keyring import KeyringError


class Command(BaseCommand):
    help = (
        "Sign the audit chain's head now, store the checkpoint and write its file to "
        "DATA_DIR/checkpoints/. The worker also does this every minute when events were "
        "added."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language", default="en", choices=[code for code, _name in settings.LANGUAGES],
            help="The language of everything printed (default: en, as verify_audit).",
        )

    def handle(self, *args, language, **options):
        with translation.override(language):
            try:
                checkpoint = make_checkpoint()
            except KeyringError as error:
                raise CommandError(_("cannot sign a checkpoint: %(error)s") % {"error": error})
            self.stdout.write(self.style.SUCCESS(
                _("Checkpoint of event %(seq)s signed with key version %(version)s; written "
                  "to %(path)s")
                % {"seq": checkpoint.seq, "version": checkpoint.sign_key_version,
                   "path": export_dir() / checkpoint.file_name}
            ))
