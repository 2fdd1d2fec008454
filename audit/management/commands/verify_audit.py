import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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
        share = f" ({checked * 100 // total}%)" if total else ""
        rate = checked / (now - self.started)
        self.stream.write(f"checked {checked:,} of {total:,} events{share}, {rate:,.0f} a second")


class Command(BaseCommand):
    help = (
        "Verify the audit trail: every event's HMAC, that sequence numbers run without gaps, "
        "and that the chain passes through every signed checkpoint (in the database and in "
        "the exported files). Exit status 0 when intact; 1 when damaged, printing the first "
        "bad sequence number and the kind of damage; 2 when the keyring cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--jobs", type=int, default=min(os.cpu_count() or 1, 8),
            help="Processes to use on long chains (default: one per CPU, at most 8).",
        )
        parser.add_argument(
            "--checkpoints", type=Path, default=None, metavar="FOLDER",
            help="Folder of exported checkpoint files to check as well "
            "(default: DATA_DIR/checkpoints).",
        )

    def handle(self, *args, jobs, checkpoints, verbosity, **options):
        progress = Progress(self.stderr) if verbosity >= 1 else None
        try:
            result = verify_chain(progress=progress, jobs=max(jobs, 1), checkpoint_dir=checkpoints)
        except KeyringError as error:
            raise CommandError(f"cannot verify the audit trail: {error}", returncode=2)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"Audit trail intact: {result.checked:,} events checked "
                f"(last sequence number {result.last_seq}), "
                f"{result.checkpoints} checkpoints verified."
            ))
            return
        self.stdout.write(self.style.ERROR("Audit trail DAMAGED."))
        self.stdout.write(f"first bad sequence number: {result.first_bad_seq}")
        self.stdout.write(f"damage: {result.damage.value}")
        self.stdout.write(str(result.explanation))
        self.stdout.write(f"{result.checked:,} events were intact before it.")
        raise CommandError(
            f"the audit trail is damaged at sequence number {result.first_bad_seq} "
            f"({result.damage.value})",
            returncode=1,
        )
