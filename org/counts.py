"""Small figures on the staff home pages ("3 new complaints", "5 open referrals"), counted
by the apps that own the records. Each app registers its figures when it loads, as with
org.navigation, so org shows them without importing the apps that count them.

A figure is a number and a label, never anything a record says. `count(unit, user)` gets
the person, so an app can leave out what they are recused from.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class UnitCount:
    key: str
    label: str
    roles: frozenset
    count: Callable
    order: int
    url_name: str | None


_counts: list[UnitCount] = []

# The notification kinds after which the figures may have changed: the home pages refresh
# them live when one arrives (static/js/live.js).
LIVE_KINDS = ("complaint.logged complaint.triaged referral.prepared referral.approved "
              "referral.delivered referral.failed referral.answered")


def register(key: str, label, roles, count: Callable, *, order: int = 50,
             url_name: str | None = None) -> None:
    if any(item.key == key for item in _counts):
        return
    _counts.append(UnitCount(key, label, frozenset(roles), count, order, url_name))
    _counts.sort(key=lambda item: item.order)


def for_unit(unit, roles: set[str], user) -> list[dict]:
    return [
        {"key": item.key, "label": item.label, "value": item.count(unit, user),
         "url": reverse(item.url_name, kwargs={"unit_code": unit.code})
         if item.url_name else None}
        for item in _counts
        if item.roles & set(roles)
    ]
