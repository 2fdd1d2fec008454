"""The tracker table's rows, written here rather than in templates/routing/tracker.html.

A page shows 50 referrals, and Django's template language spent almost half of the page's
time on their nine cells each (about 40 ms of 90 on a slow two-core machine). The rows are
f-strings with each value put through core.html.escaped: format_html wrote them in several
milliseconds a page, most of it looking through its eighteen arguments a row for lazy text.
The template keeps the table, its caption and header, and everything else on the page.
"""

from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.html import day_html, escaped


def rows_html(rows, *, with_units: bool, labels: dict) -> SafeString:
    """The `<tr>` of each TrackerRow, in order; `with_units` adds the unit's column (a
    tracker that covers the units below its own). `labels` are the columns' names, which a
    phone shows beside each cell (data-label)."""
    named = {name: escaped(label) for name, label in labels.items()}
    return SafeString("\n".join(_row(row, with_units, named) for row in rows))


def _row(row, with_units: bool, label: dict) -> str:
    """One row's markup; every value in it is escaped, `label` already was."""
    referral = row.referral
    complaint = escaped(referral.complaint.reference)
    if row.case_url:
        complaint = f'<a href="{escaped(row.case_url)}">{complaint}</a>'
    unit = (f'<td data-label="{label["unit"]}">{escaped(referral.unit.code)}</td>'
            if with_units else "")
    overdue = ' class="overdue"' if row.overdue else ""
    prepared = day_html(timezone.localtime(referral.prepared_at))
    return (
        f'<tr{overdue}><th scope="row">{escaped(referral.reference)}</th>'
        f'<td data-label="{label["complaint"]}">{complaint}</td>{unit}'
        f'<td data-label="{label["agency"]}">{escaped(referral.agency.name)}</td>'
        f'<td data-label="{label["state"]}">{escaped(row.state_label)}</td>'
        f'<td data-label="{label["prepared_at"]}">{prepared}</td>'
        f'<td data-label="{label["age"]}">{escaped(formats.localize(row.age_days))}</td>'
        f'<td data-label="{label["next_due"]}">{_next_due(row)}</td>'
        f'<td data-label="{label["agency_reference"]}">'
        f'{escaped(referral.agency_reference or "—")}</td></tr>'
    )


def _next_due(row) -> str:
    """The day the referral waits on, marked when it has passed; a failed delivery needs
    attention instead; nothing is waited on once it is returned or concluded."""
    if row.failed:
        return f'<strong class="error">{escaped(_("needs attention"))}</strong>'
    if not row.next_due:
        return "—"
    day = day_html(row.next_due)
    if row.overdue:
        return f'{day} <strong class="error">{escaped(_("overdue"))}</strong>'
    return day
