"""The queue table's rows, written here rather than in templates/intake/staff/case/queue.html.

A page shows 25 cases of eight cells each, and Django's template language spent a large part
of the page's time on them (as on the tracker, routing/tracker/rows.py); format_html writes
the same markup in about a millisecond. The template keeps the table, its caption and header,
and everything else on the page.
"""

from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.html import day_html
from intake.models import ACKNOWLEDGE

_CORRUPTION_ROW = format_html(' class="{}"', "corruption")
_SLOT = "__reference__"


def rows_html(rows, *, unit_code: str, labels: dict) -> SafeString:
    """The `<tr>` of each QueueRow, in order; `labels` are the columns' names, which a
    phone shows beside each cell (data-label)."""
    # Reversed once, not once a row: reversing under i18n_patterns is slow.
    case_url = reverse("intake:case", kwargs={"unit_code": unit_code, "reference": _SLOT})
    named = {**{name: str(label) for name, label in labels.items()},
             "categories": _("Categories"), "next_due": _("Next deadline")}
    return format_html_join("\n", "{}", ((_row(row, case_url, named),) for row in rows))


def _row(row, case_url: str, label: dict) -> SafeString:
    complaint, triage = row.complaint, row.classification
    return format_html(
        '<tr{}><th scope="row" data-label="{}"><a href="{}">{}</a></th>'
        '<td class="title" data-label="{}">{}</td><td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td><td data-label="{}">{}</td>'
        '<td data-label="{}">{} <span class="muted">· {}</span></td><td data-label="{}">{}</td>'
        '<td data-label="{}">{}</td></tr>',
        _CORRUPTION_ROW if triage and triage.corruption_related else "",
        label["reference"], case_url.replace(_SLOT, quote(complaint.reference)),
        complaint.reference,
        label["title"], complaint.title or "—",
        label["categories"], _categories(triage),
        label["assigned_to"], row.assignee or "—",
        label["next_due"], _next_due(row),
        label["channel"], complaint.get_channel_display(), complaint.get_kind_display(),
        label["status"], complaint.get_status_display(),
        label["received_at"], day_html(timezone.localtime(complaint.received_at)),
    )


def _categories(triage) -> SafeString:
    if triage is None:
        return format_html('<span class="muted">{}</span>', _("Not triaged yet"))
    names = ", ".join(triage.categories) or "—"
    if triage.corruption_related:
        return format_html('<strong class="flag">{}</strong> {}', _("Corruption-related"), names)
    return format_html("{}", names)


def _next_due(row) -> SafeString | str:
    """The deadline the case must meet next, marked when it has passed, and which one it is."""
    complaint = row.complaint
    if not complaint.next_due:
        return "—"
    if complaint.next_clock == ACKNOWLEDGE:
        clock = _("acknowledge by")
    elif complaint.extended_at:
        clock = format_html("{} ({})", _("resolve by"), _("extended"))
    else:
        clock = _("resolve by")
    overdue = (format_html(' <strong class="error">{}</strong>', _("overdue"))
               if row.next_overdue else "")
    return format_html('{}{} <span class="muted clock">{}</span>', day_html(complaint.next_due),
                       overdue, clock)
