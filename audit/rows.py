"""The audit trail table's rows, written here rather than in templates/audit/events.html.

A page shows 50 events, each with its details and the record as stored, and Django's
template language spent most of the page's time on them (as on the tracker,
routing/tracker/rows.py); written here, with each value put through core.html.escaped, the
same markup takes a few milliseconds. The template keeps the table, its caption and header,
and everything else on the page.
"""

from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from audit.presenting import Detail, Shown
from core.html import escaped


def rows_html(shown: list[Shown], *, several_units: bool) -> SafeString:
    """The `<tr>` of each event as presented (audit.presenting.present), in order;
    `several_units` names each event's unit (a trail that covers the units below)."""
    return SafeString("\n".join(_row(item, several_units) for item in shown))


def _row(item: Shown, several_units: bool) -> str:
    """One event's markup; every value in it is escaped (core.html.escaped)."""
    event, when = item.event, timezone.localtime(item.when)
    who = escaped(item.actor) if item.by_person else f"<em>{escaped(item.actor)}</em>"
    if several_units and event.unit:
        who = f'{who} <span class="where">{escaped(event.unit.name)}</span>'
    seq = escaped(event.seq)
    day = escaped(formats.date_format(when, "SHORT_DATE_FORMAT"))
    details = details_html(item.details) if item.details else ""
    return (
        f'<tr id="event-{seq}"><td class="seq">{seq}</td>'
        f'<td class="when"><time datetime="{escaped(event.occurred_at)}">{day} '
        f'{escaped(when.strftime("%H:%M:%S"))}</time></td><td class="who">{who}</td>'
        f'<td class="what">{_what(item)}</td><td class="details">{details}<details class="raw">'
        f'<summary>{escaped(_("The record as stored"))}</summary>'
        f'<pre translate="no">{escaped(item.raw)}</pre></details></td></tr>'
    )


def _what(item: Shown) -> str:
    if item.action_known:
        what = f"<strong>{escaped(item.action)}</strong>"
    else:
        what = (f"<strong>{escaped(_('An action with no description'))}</strong> "
                f"<code>{escaped(item.action)}</code>")
    if not item.object:
        return what
    name = escaped(item.object.name)
    if item.object.url:
        name = f'<a href="{escaped(item.object.url)}">{name}</a>'
    return (f'{what} <span class="object"><span class="kind">{escaped(item.object_kind)}'
            f'</span> {name}</span>')


def details_html(details: list[Detail] | tuple[Detail, ...]) -> SafeString:
    """Labelled values, a value that is itself a set of them as a list inside its item."""
    items = "".join(f"\n  <dt>{escaped(detail.label)}</dt>\n  <dd>{_value(detail)}</dd>"
                    for detail in details)
    return SafeString(f'<dl class="details">{items}\n</dl>')


def _value(detail: Detail) -> str:
    if detail.parts:
        return details_html(detail.parts)
    if detail.code:
        if detail.full:
            return f'<code title="{escaped(detail.full)}">{escaped(detail.value)}</code>'
        return f"<code>{escaped(detail.value)}</code>"
    return escaped(detail.value)
