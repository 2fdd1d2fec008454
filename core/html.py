"""Markup that the table rows written in Python share (intake/case/queue_rows.py,
routing/tracker/rows.py) and the form renderer (core/rendering.py), so that a day reads the
same in every list and every value is escaped the one way."""

import html

from django.utils import formats
from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escaped(value) -> str:
    """conditional_escape without its wrappers: safe text as it is, anything else escaped.
    Django's format_html and conditional_escape each first look through their arguments
    for lazy text; on a page of fifty rows or inputs those looks were most of their time."""
    if isinstance(value, Promise):
        value = str(value)
    written = getattr(value, "__html__", None)
    return written() if written is not None else html.escape(str(value))


def day_html(moment) -> SafeString:
    """A date, or a datetime already in local time, as a `<time>` element: the machine's
    ISO form in `datetime`, the reader's short date (2026.03.02 in Mongolian) shown."""
    return SafeString(f'<time datetime="{escaped(moment.isoformat())}">'
                      f'{escaped(formats.date_format(moment, "SHORT_DATE_FORMAT"))}</time>')
