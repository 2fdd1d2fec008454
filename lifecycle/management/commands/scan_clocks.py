from datetime import date

from django.core.management.base import BaseCommand, CommandError

from lifecycle.clocks import scan


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD")


class Command(BaseCommand):
    help = (
        "Find the legal clocks that are about to run out or have run out (referral, the "
        "agency's acknowledgement, acknowledgement to the reporter, resolution): remind the "
        "unit ahead of time, then escalate: step 1 to the unit's head, step 2 to the parent "
        "unit's head, each by a notification. The 'clock scan' schedule runs this "
        "every hour; running it by hand as well is safe, as each step is taken only once. "
        "Prints counts per clock and step, never anything about a case."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", metavar="YYYY-MM-DD",
            help="scan as of this day instead of today (in the local time zone)",
        )

    def handle(self, *args, **options):
        today = _day(options["date"]) if options["date"] else None
        summary = scan(today=today)
        for line in summary.lines():
            self.stdout.write(line)
