"""The tracker table's rows, written here rather than in templates/routing/tracker.html.

A page shows 50 referrals, and Django's template language spent almost half of the page's
time on their nine cells each (about 40 ms of 90 on a slow two-core machine); format_html
writes the same markup for the page in about a millisecond. The template keeps the table,
its caption and header, and everything else on the page.
"""

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.html import day_html

_OVERDUE_ROW = format_html(' class="{}"', "overdue")


def rows_html(rows, *, with_units: bool, labels: dict) -> SafeString:
    """The `<tr>` of each TrackerRow, in order; `with_units` adds the unit's column (a
    tracker that covers the units below its own). `labels` are the columns' names, which a
    phone shows beside each cell (data-label)."""
    named = {name: str(label) for name, label in labels.items()}
    return format_html_join("\n", "{}", ((_row(row, with_units, named),) for row in rows))


def _row(row, with_units: bool, label: dict) -> SafeString:
    referral = row.referral
    complaint = referral.complaint.reference
    if row.case_url:
        complaint = format_html('<a href="{}">{}</a>', row.case_url, complaint)
    unit = (format_html('<td data-label="{}">{}</td>', label["unit"], referral.unit.code)
            if with_units else "")
    return format_html(
        '<tr{}><th scope="row">{}</th><td data-label="{}">{}</td>{}'
        '<td data-label="{}">{}</td><td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td><td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td><td data-label="{}">{}</td></tr>',
        _OVERDUE_ROW if row.overdue else "", referral.reference,
        label["complaint"], complaint, unit,
        label["agency"], referral.agency.name, label["state"], row.state_label,
        label["prepared_at"], day_html(timezone.localtime(referral.prepared_at)),
        label["age"], formats.localize(row.age_days), label["next_due"], _next_due(row),
        label["agency_reference"], referral.agency_reference or "—",
    )


def _next_due(row) -> SafeString | str:
    """The day the referral waits on, marked when it has passed; a failed delivery needs
    attention instead; nothing is waited on once it is returned or concluded."""
    if row.failed:
        return format_html('<strong class="error">{}</strong>', _("needs attention"))
    if not row.next_due:
        return "—"
    day = day_html(row.next_due)
    if row.overdue:
        return format_html('{} <strong class="error">{}</strong>', day, _("overdue"))
    return day
