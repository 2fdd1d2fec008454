"""Compare the reports' counters (per unit, month and figure) with a count of the records,
for every month or for --from/--to. Prints each difference. With --repair the counters are
set to what the records say, each difference is kept in the audit trail and the
administrators are told, as the nightly check does for the recent months. Exits non-zero
when a difference was found and not repaired."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from intake.tallies import month_of
from intake.tally_check import tallies_check, tallies_compare


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return month_of(date(year, month, 1))
    except ValueError:
        raise CommandError(f"{text!r} is not a month (YYYY-MM).") from None


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_month, default=None,
                            help="first month to check, YYYY-MM (default: the earliest)")
        parser.add_argument("--to", dest="last", type=_month, default=None,
                            help="last month to check, YYYY-MM (default: the latest)")
        parser.add_argument("--repair", action="store_true",
                            help="set the counters to the records' count, audited and alerted")

    def handle(self, *args, first, last, repair, **options):
        if first and last and first > last:
            raise CommandError("--from is after --to.")
        if repair:
            differences = tallies_check(first=first, last=last, repair=True)
        else:
            differences = tallies_compare(first=first, last=last)
        for d in differences:
            self.stdout.write(f"{d.unit_id} {d.month:%Y-%m} {d.key}: counter {d.kept}, "
                              f"records {d.counted}")
        if not differences:
            self.stdout.write(self.style.SUCCESS("The counters match the records."))
        elif repair:
            self.stdout.write(self.style.SUCCESS(f"{len(differences)} counter(s) put right."))
        else:
            raise CommandError(f"{len(differences)} counter(s) differ; run with --repair.")
