"""Sign the complaints that have no similarity signature yet (those logged before
"probably the same matter" existed), and sign again those under an older blind key version
(`keys rotate --purpose blind` does this itself). Safe to stop and run again."""

from django.core.management.base import BaseCommand, CommandError

from intake.signing import likeness_catch_up
from vault.errors import VaultError
from vault.rotation import ProgressPrinter


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500,
                            help="complaints read per query (default 500)")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            done = likeness_catch_up(batch_size=batch_size,
                                     progress=ProgressPrinter(self.stdout.write, "Signing"))
        except VaultError as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS(f"Signed {done:,} complaints."))
