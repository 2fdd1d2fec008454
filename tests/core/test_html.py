"""core/html.py: `escaped` is Django's conditional_escape without its wrappers, and a day is
written as a <time> element whose parts are escaped."""

from datetime import date

from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext_lazy, override

from core.html import day_html, escaped

VALUES = ['"><script>alert(1)</script>', "a & b 'c'", "Өргөдөл «гомдол»", "", 0, 12.5, None,
          format_html("<b>{}</b>", "kept"), gettext_lazy("Letter number")]


def test_escaped_writes_what_conditional_escape_writes():
    for language in ("mn", "en"):
        with override(language):
            for value in VALUES:
                assert escaped(value) == str(conditional_escape(value)), value


def test_a_day_is_a_time_element_in_the_readers_form():
    with override("mn"):
        assert day_html(date(2026, 3, 2)) == (
            '<time datetime="2026-03-02">2026.03.02</time>')
