from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.files import write_atomically
from org.models import Unit
from plans import reports
from plans.document import build
from plans.models import Plan, PlanReport, PlanState
from plans.writers import FORMATS, render
from reporting.fonts import FontMissing


class Command(BaseCommand):
    help = (
        "Export a unit's anti-corruption plan implementation report for a year (or for the "
        "year as of --as-of DATE), in Mongolian, as DOCX, PDF or XLSX. The latest version "
        "of the report is exported; when none has been drafted, a preview is drafted from "
        "the records and exported without saving anything. Prints the file written, the "
        "report's state and, once approved, its document hash."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, metavar="CODE", help="The unit's code.")
        parser.add_argument("--year", required=True, type=int, help="The plan's year.")
        parser.add_argument("--format", required=True, choices=list(FORMATS),
                            help="The file format.")
        parser.add_argument("--out", required=True, metavar="FILE",
                            help="Where to write the file; '-' writes it to standard output.")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", default=None,
                            help="Report on the year up to this day (default: the whole "
                                 "year).")

    def handle(self, *args, unit, year, out, as_of, **options):
        found = Unit.objects.filter(code__iexact=unit).first()
        if found is None:
            raise CommandError(f"there is no unit with the code {unit!r}")
        key = self.period_key(year, as_of)
        with translation.override("mn"):
            document, summary = self.document(found, year, key)
            try:
                data = render(document, options["format"])
            except FontMissing as error:
                raise CommandError(str(error))
        written = self.write(data, out)
        (self.stderr if out == "-" else self.stdout).write(f"{written}: {summary}")

    def period_key(self, year: int, as_of: str | None) -> str:
        if as_of is None:
            return PlanReport.Kind.YEAR
        try:
            day = date.fromisoformat(as_of)
            return reports.period_of(year, f"{day:%Y-%m-%d}")[1].label
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a day of {year} (YYYY-MM-DD)")

    def document(self, unit, year: int, key: str):
        kind, period = reports.period_of(year, key)
        report = reports.latest_report(unit, year, kind, period.last)
        if report is not None:
            summary = f"report version {report.version}, state {report.state}"
            if report.document_sha256:
                summary += f", document SHA-256 {report.document_sha256}"
            return build(report), summary
        plan = Plan.objects.filter(unit=unit, year=year, state=PlanState.APPROVED).order_by(
            "-version").first()
        if plan is None:
            raise CommandError(f"{unit.code} has no approved plan for {year}")
        preview, lines = reports.preview(plan, key)
        return build(preview, lines), "not drafted yet: a preview from the records"

    def write(self, data: bytes, out: str) -> str:
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
