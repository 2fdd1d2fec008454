"""The audit trail table's rows, written here rather than in templates/audit/events.html.

A page shows 50 events, each with its details and the record as stored, and Django's
template language spent most of the page's time on them (as on the tracker,
routing/tracker/rows.py); format_html writes the same markup in a few milliseconds. The
template keeps the table, its caption and header, and everything else on the page.
"""

from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from audit.presenting import Detail, Shown


def rows_html(shown: list[Shown], *, several_units: bool) -> SafeString:
    """The `<tr>` of each event as presented (audit.presenting.present), in order;
    `several_units` names each event's unit (a trail that covers the units below)."""
    return format_html_join("\n", "{}", ((_row(item, several_units),) for item in shown))


def _row(item: Shown, several_units: bool) -> SafeString:
    event, when = item.event, timezone.localtime(item.when)
    who = item.actor if item.by_person else format_html("<em>{}</em>", item.actor)
    if several_units and event.unit:
        who = format_html('{} <span class="where">{}</span>', who, event.unit.name)
    return format_html(
        '<tr id="event-{}"><td class="seq">{}</td>'
        '<td class="when"><time datetime="{}">{} {}</time></td><td class="who">{}</td>'
        '<td class="what">{}</td><td class="details">{}<details class="raw">'
        '<summary>{}</summary><pre translate="no">{}</pre></details></td></tr>',
        event.seq, event.seq, event.occurred_at,
        formats.date_format(when, "SHORT_DATE_FORMAT"), when.strftime("%H:%M:%S"), who,
        _what(item), details_html(item.details) if item.details else "",
        _("The record as stored"), item.raw,
    )


def _what(item: Shown) -> SafeString:
    if item.action_known:
        what = format_html("<strong>{}</strong>", item.action)
    else:
        what = format_html("<strong>{}</strong> <code>{}</code>",
                           _("An action with no description"), item.action)
    if not item.object:
        return what
    name = item.object.name
    if item.object.url:
        name = format_html('<a href="{}">{}</a>', item.object.url, name)
    return format_html('{} <span class="object"><span class="kind">{}</span> {}</span>', what,
                       item.object_kind, name)


def details_html(details: list[Detail] | tuple[Detail, ...]) -> SafeString:
    """Labelled values, a value that is itself a set of them as a list inside its item."""
    return format_html('<dl class="details">{}\n</dl>', format_html_join(
        "", "\n  <dt>{}</dt>\n  <dd>{}</dd>",
        ((detail.label, _value(detail)) for detail in details)))


def _value(detail: Detail) -> SafeString | str:
    if detail.parts:
        return details_html(detail.parts)
    if detail.code:
        if detail.full:
            return format_html('<code title="{}">{}</code>', detail.full, detail.value)
        return format_html("<code>{}</code>", detail.value)
    return detail.value
