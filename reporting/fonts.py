"""The font the PDF exports embed: DejaVu Sans, which has every Cyrillic letter Mongolian
needs (Ө ө Ү ү among them). ReportLab's own fonts have none of them, and the files are not
shipped with Shugel: Debian's `fonts-dejavu-core` puts them in /usr/share/fonts/truetype/dejavu
(`make setup` installs it when missing). REPORT_FONT_DIR points elsewhere.
"""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_DIR = "/usr/share/fonts/truetype/dejavu"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}

_registered: set[Path] = set()


class FontMissing(RuntimeError):
    """The PDF font files are not installed; the message says how to install them."""


def font_dir() -> Path:
    return Path(getattr(settings, "REPORT_FONT_DIR", DEFAULT_DIR))


def register() -> tuple[str, str]:
    """Register DejaVu Sans (regular and bold) with ReportLab once per folder, and return
    the two font names to use."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = font_dir()
    if folder in _registered:
        return REGULAR, BOLD
    paths = {name: folder / file for name, file in FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise FontMissing(
            _("PDF exports need the DejaVu Sans fonts, which are missing (%(files)s). "
              "Install them with “apt-get install fonts-dejavu-core”, or set "
              "REPORT_FONT_DIR to a folder that holds them.") % {"files": ", ".join(missing)})
    for name, path in paths.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    _registered.add(folder)
    return REGULAR, BOLD
