import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import verify_chain
from vault.keyring import KeyringError


class Progress:
    """Progress on stderr for long chains: at most a line a second, none for short ones."""

    def __init__(self, stream, interval: float = 1.0):
        self.stream, self.interval = stream, interval
        self.started = self.last = time.monotonic()

    def __call__(self, checked: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        values = {"checked": f"{checked:,}", "total": f"{total:,}",
                  "rate": f"{checked / (now - self.started):,.0f}"}
        if total:
            values["share"] = checked * 100 // total
            line = _("checked %(checked)s of %(total)s events (%(share)s%%), %(rate)s a second")
        else:
            line = _("checked %(checked)s of %(total)s events, %(rate)s a second")
        self.stream.write(line % values)


class Command(BaseCommand):
    help = (
        "Verify the audit trail: every event's HMAC, that sequence numbers run without gaps, "
        "and that the chain passes through every signed checkpoint (in the database and in "
        "the exported files). Exit status 0 when intact; 1 when damaged, printing the first "
        "bad sequence number and the kind of damage; 2 when the keyring cannot be read. "
        "Everything it prints is in one language (--language, English by default, so that "
        "scripts can find the 'first bad sequence number: N' line)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jobs", type=int, default=min(os.cpu_count() or 1, 8),
            help="Processes to use on long chains (default: one per CPU, at most 8).",
        )
        parser.add_argument(
            "--checkpoints", type=Path, default=None, metavar="FOLDER",
            help="Folder of exported checkpoint files to check as well, such as copies "
            "kept off this machine (DATA_DIR/checkpoints is always read).",
        )
        parser.add_argument(
            "--language", default="en", choices=[code for code, _name in settings.LANGUAGES],
            help="The language of everything printed (default: en).",
        )

    def handle(self, *args, language, **options):
        # One language for the framing lines and the explanation alike: verification
        # writes its explanation in whatever language is active.
        with translation.override(language):
            self._verify(**options)

    def _verify(self, *, jobs, checkpoints, verbosity, **options):
        progress = Progress(self.stderr) if verbosity >= 1 else None
        try:
            result = verify_chain(progress=progress, jobs=max(jobs, 1), checkpoint_dir=checkpoints)
        except KeyringError as error:
            raise CommandError(
                _("cannot verify the audit trail: %(error)s") % {"error": error}, returncode=2)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                _("Audit trail intact: %(checked)s events checked (last sequence number "
                  "%(last)s), %(checkpoints)s checkpoints verified.")
                % {"checked": f"{result.checked:,}", "last": result.last_seq,
                   "checkpoints": result.checkpoints}
            ))
            return
        # The sequence number and the kind's code stay digits and a fixed word in every
        # language, for scripts to read.
        values = {"seq": result.first_bad_seq, "kind": result.damage.value,
                  "checked": f"{result.checked:,}"}
        self.stdout.write(self.style.ERROR(_("Audit trail DAMAGED.")))
        self.stdout.write(_("first bad sequence number: %(seq)s") % values)
        self.stdout.write(_("damage: %(kind)s") % values)
        self.stdout.write(str(result.explanation))
        self.stdout.write(_("%(checked)s events were intact before it.") % values)
        raise CommandError(
            _("the audit trail is damaged at sequence number %(seq)s (%(kind)s)") % values,
            returncode=1,
        )
