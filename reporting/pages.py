"""What the reports' pages share: who may open them (`report_reader`), the month or quarter
named in the URL, the months around one, and how a download is answered.

Who may read is reporting.access.may_read: the unit's own staff, and the clerks, heads and
auditors of the units above it (so the national head reads every department's reports).
"""

from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from org.access import roles_in_unit, staff_required
from org.models import Unit
from reporting import exports
from reporting.access import may_read
from reporting.display import names_any, recused_references
from reporting.figures import month_period, parse_quarter, quarter_period
from reporting.monthly.forms import month_or_none

QUARTERS_LISTED = 4
EXPORT_FORMATS = ("docx", "pdf", "xlsx", "csv")  # reporting.exports.FORMATS


def report_reader(view):
    """For views whose URL names a unit by `unit_code`: signed in with the second factor
    (org.access), and allowed to read the unit's reports. Passes the Unit to the view. As
    with org.access.unit_role_required, someone with no say in the unit gets 404 (the
    unit's pages do not confirm what exists), and a member of the unit whose role does not
    read reports gets 403."""

    @staff_required
    @wraps(view)
    def wrapped(request, unit_code: str, *args, **kwargs):
        unit = Unit.objects.active().filter(code=unit_code).first()
        held = roles_in_unit(request.user, unit) if unit else set()
        if unit is None or not may_read(request.user, unit):
            if held:
                raise PermissionDenied
            raise Http404
        request.unit_roles = held
        return view(request, unit, *args, **kwargs)

    return wrapped


# --- periods --------------------------------------------------------------------------------

def month_of_url(text: str) -> date:
    """The month of the URL (`YYYY-MM`), or 404."""
    period = month_or_none(text)
    if period is None or not 1 < period.year < 9999:
        raise Http404
    return period


def neighbours(period: date, today: date) -> dict:
    """The months before and after `period` (`YYYY-MM`), the latter only when it has begun."""
    following = month_period(period).last + timedelta(days=1)
    return {"previous": f"{month_period(period - timedelta(days=1)).first:%Y-%m}",
            "following": f"{following:%Y-%m}" if following <= today else None}


def quarter_of_url(text: str):
    """The quarter of the URL (`YYYY-Qn`), or 404."""
    try:
        year, quarter = parse_quarter(text)
    except ValueError:
        raise Http404 from None
    if not 1 < year < 9999:
        raise Http404
    return quarter_period(year, quarter)


def recent_quarters(today: date, count: int = QUARTERS_LISTED) -> list[str]:
    year, quarter = today.year, (today.month + 2) // 3
    labels = []
    for _step in range(count):
        labels.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return labels


# --- downloads ------------------------------------------------------------------------------

def _download(made) -> HttpResponse:
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def exported(request, make, back: str, figures: dict) -> HttpResponse:
    """The file `make(exports)` builds, as a download; or back to `back` with the reason
    when the person may not have it (recused) or it cannot be made (no PDF font)."""
    if names_any(figures, recused_references(request.user)):
        # A file is the whole document, and a signed one cannot be redacted: the pages
        # hide those rows, the file is for someone else to download.
        messages.error(request, _("This report lists a case you are recused from, so you "
                                  "cannot download it. Another member of staff can."))
        return redirect(back)
    try:
        return _download(make(exports))
    except exports.FontMissing as error:
        messages.error(request, str(error))
        return redirect(back)
