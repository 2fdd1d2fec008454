"""manage.py poster --unit DG --size A4 [--lang en] --out poster.pdf: the same PDF as the
unit's poster page gives."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from org.models import Unit
from outreach.poster import LANGUAGES, SIZES, PosterUnavailable, poster_pdf
from reporting import fonts


class Command(BaseCommand):
    help = "Writes a unit's poster (phone lines, the report form's address and QR code) as PDF."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="the unit's code, e.g. DG")
        parser.add_argument("--size", choices=sorted(SIZES), default="A4")
        parser.add_argument("--lang", choices=LANGUAGES, default="mn")
        parser.add_argument("--out", required=True, type=Path, help="the PDF file to write")

    def handle(self, *args, unit, size, lang, out, **options):
        found = Unit.objects.active().filter(code=unit).first()
        if found is None:
            raise CommandError(f"no active unit has the code {unit!r}")
        try:
            data = poster_pdf(found, size=size, language=lang)
        except (PosterUnavailable, fonts.FontMissing) as refusal:
            raise CommandError(str(refusal) if settings.PUBLIC_URL else (
                "set SHUGEL_PUBLIC_URL, the address citizens reach the site at")) from None
        out = Path(out)
        out.write_bytes(data)
        self.stdout.write(f"{out}: {size} poster of {found.code} ({lang}), {len(data)} bytes")
