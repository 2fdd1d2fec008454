"""Letters of other kinds that wait to be posted, listed on routing's letters page beside
the referrals: an app higher in the order (reporting, for an approved monthly report whose
recipient takes it by post) registers a source in its AppConfig.ready, and routing shows
what it finds without importing that app.

A source is `source(unit, roles)` returning the WaitingLetter rows that someone holding
`roles` in `unit` may act on. The roles are those the letters page checked for the request
(org.access.unit_role_required), so a source asks the database nothing about the person.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WaitingLetter:
    reference: str  # the document's number, never its content
    what: str  # what the document is, in the reader's language
    recipient: str
    approved_at: datetime | None
    url: str  # where the letter is printed and marked as sent


_sources: list[Callable] = []


def register(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def waiting_letters(unit, roles: set[str]) -> list[WaitingLetter]:
    found = []
    for source in _sources:
        found.extend(source(unit, roles))
    return found
