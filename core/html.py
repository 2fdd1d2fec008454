"""Markup that the table rows written in Python share (intake/case/queue_rows.py,
routing/tracker/rows.py), so that a day reads the same in every list."""

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString


def day_html(moment) -> SafeString:
    """A date, or a datetime already in local time, as a `<time>` element: the machine's
    ISO form in `datetime`, the reader's short date (2026.03.02 in Mongolian) shown."""
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(),
                       formats.date_format(moment, "SHORT_DATE_FORMAT"))
