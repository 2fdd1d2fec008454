from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from core.files import write_atomically
from org.models import Unit
from reporting import exports, services
from reporting.figures import parse_month, parse_quarter, period_figures, quarter_period
from reporting.models import MonthlyReport


class Command(BaseCommand):
    help = (
        "Export a unit's monthly report, in Mongolian, as DOCX, PDF, XLSX or CSV. The latest "
        "version is exported unless --version says otherwise; a month with no report yet is "
        "drafted first (by the system, as the schedule would) and the draft exported. With "
        "--quarter instead of --month, the quarter's statistics of the unit and the units "
        "below it are exported. Prints the file written, the report number, its state and, "
        "once approved, its document hash."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the report's; Django's own (its version number) gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve",
                                     **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, metavar="CODE", help="The unit's code.")
        period = parser.add_mutually_exclusive_group(required=True)
        period.add_argument("--month", metavar="YYYY-MM", help="The month reported on.")
        period.add_argument("--quarter", metavar="YYYY-Qn",
                            help="A quarter's statistics instead of a monthly report.")
        parser.add_argument("--format", required=True, choices=exports.FORMATS,
                            help="The file format.")
        parser.add_argument("--out", required=True, metavar="FILE",
                            help="Where to write the file; '-' writes it to standard output.")
        parser.add_argument("--version", type=int, default=None, metavar="N",
                            dest="report_version",
                            help="Which version of the monthly report (default: the latest).")

    def handle(self, *args, unit, month, quarter, out, report_version, **options):
        fmt = options["format"]
        found = Unit.objects.filter(code__iexact=unit).first()
        if found is None:
            raise CommandError(f"there is no unit with the code {unit!r}")
        with translation.override("mn"):
            try:
                if month is not None:
                    export, summary = self.monthly(found, month, fmt, report_version)
                else:
                    if report_version is not None:
                        raise CommandError("--version applies to a monthly report only")
                    export, summary = self.quarterly(found, quarter, fmt)
            except exports.FontMissing as error:
                raise CommandError(str(error))
        written = self.write(export.data, out)
        # With --out - the file is standard output, so the summary goes to standard error.
        (self.stderr if out == "-" else self.stdout).write(f"{written}: {summary}")

    def monthly(self, unit, month: str, fmt: str, version: int | None):
        try:
            period = parse_month(month)
        except ValueError as error:
            raise CommandError(str(error))
        if period > timezone.localdate().replace(day=1):
            raise CommandError(f"{month} has not begun; a report covers a past or the "
                               "current month")
        reports = MonthlyReport.objects.filter(unit=unit, period=period)
        if version is not None:
            report = reports.filter(version=version).first()
            if report is None:
                raise CommandError(f"{unit.code} has no version {version} of the report "
                                   f"on {month}")
        else:
            try:
                report, _created = services.report_draft(unit=unit, period=period, by=None)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages))
        summary = f"report {report.reference}, state {report.state}"
        if report.document_sha256:
            summary += f", document SHA-256 {report.document_sha256}"
        return exports.monthly(report, fmt), summary

    def quarterly(self, unit, quarter: str, fmt: str):
        try:
            period = quarter_period(*parse_quarter(quarter))
        except ValueError as error:
            raise CommandError(str(error))
        if period.first > timezone.localdate():
            raise CommandError(f"{quarter} has not begun")
        figures = period_figures(unit.descendant_ids(), period, with_checkpoint=False)
        return (exports.statistics(unit, period, figures, fmt),
                f"statistics of {unit.code} for {period.label}")

    def write(self, data: bytes, out: str) -> str:
        """Write to `out` through a temporary file in the same folder, renamed into place,
        so a reader never sees half a file."""
        if out == "-":
            stream = self.stdout._out
            getattr(stream, "buffer", stream).write(data)
            stream.flush()
            return "standard output"
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"the folder {path.parent} does not exist")
        write_atomically(path, data)
        return str(path)
