"""Emitting an event: the one function other apps call.

    from notify.events import emit

    emit(Kind.COMPLAINT_LOGGED, unit=complaint.unit,
         subject={"complaint": complaint.pk, "reference": complaint.reference})

Call it inside the transaction that makes the change. The event and one notification per
recipient are written in that transaction, so they exist exactly when the change does; once
it commits they are pushed to connected browsers and their emails are queued. Recipients are
the active members of the unit in the kind's roles (notify.rules), minus anyone an exclusion
hook names: intake registers one that leaves out staff recused from the complaint, so notify
never needs to know what a recusal is.
"""

import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from notify.models import Event, Kind, Notification
from notify.rules import ROLES, SETTLES, SUBJECT_KEYS, SUBJECT_TEXT_MAX
from org.models import Membership

logger = logging.getLogger(__name__)

_exclusions: list[Callable[[Event], set[int]]] = []


def register_exclusion(hook: Callable[[Event], set[int]]) -> None:
    """`hook(event)` returns ids of users who must not be told of `event`."""
    if hook not in _exclusions:
        _exclusions.append(hook)


def clean_subject(subject: dict) -> dict:
    for key, value in subject.items():
        expected = SUBJECT_KEYS.get(key)
        if expected is None or not isinstance(value, expected) or isinstance(value, bool):
            raise ValueError(f"an event's subject holds ids and references only, not {key!r}")
        if isinstance(value, str) and len(value) > SUBJECT_TEXT_MAX:
            raise ValueError(f"{key!r} is too long for a reference")
    return dict(subject)


def recipients(event: Event, roles: Iterable[str], also_units=(), users=()) -> set[int]:
    """The members of the event's unit (and `also_units`) in `roles`, and `users`, less
    anyone an exclusion hook names (asked only when there is someone to leave out)."""
    units = [event.unit_id, *(unit.pk for unit in also_units)]
    found = set(
        Membership.objects.active()
        .filter(unit_id__in=units, role__in=list(roles))
        .values_list("user_id", flat=True)
    ) | set(users)
    if found:
        found -= _excluded(event)
    return found


def emit(kind: str, *, unit, subject: dict, roles: Iterable[str] | None = None,
         also_units=(), users: Iterable[int] = (), actor=None) -> Event:
    """Record `kind` for `unit` and tell the people it concerns, after commit. `roles`
    overrides the kind's default roles; `also_units` adds the same roles of other units (a
    parent unit the case was escalated to); `users` adds named people (still subject to the
    exclusion hooks); `actor`, the person whose act this is, is left out."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    subject = clean_subject(subject)
    settle(kind, unit=unit, subject=subject)
    event = Event.objects.create(kind=kind, unit=unit, subject=subject)
    people = recipients(event, ROLES[kind] if roles is None else roles, also_units, users)
    people.discard(getattr(actor, "pk", actor))
    if not people:  # recorded, and no one to tell: nothing to push, nothing to send
        return event
    notifications = Notification.objects.bulk_create(
        [Notification(recipient_id=user_id, event=event, kind=kind, unit=unit)
         for user_id in sorted(people)]
    )
    ids = [notification.pk for notification in notifications if notification.pk]
    if not ids:  # bulk_create gives no ids on some databases; read them back
        ids = list(event.notifications.values_list("pk", flat=True))
    from notify import delivery

    queued = delivery.queue_dispatches(ids)
    transaction.on_commit(lambda: _after_commit(ids, send=bool(queued)))
    return event


def settle(done: str, *, unit, subject: dict) -> int:
    """Mark read, for every recipient, the unread notifications that `done` (a kind, or a
    name in notify.rules) settles about the same subject; returns how many. Call it in the
    transaction that does the work; open pages get the new unread count after commit."""
    settled = Notification.objects.none()
    for kind, keys in SETTLES.get(done, ()):
        if any(key != "unit" and subject.get(key) is None for key in keys):
            continue
        match = {f"event__subject__{key}": subject[key] for key in keys if key != "unit"}
        if "unit" in keys:
            match["event__unit"] = unit
        settled |= Notification.objects.unread().filter(kind=kind, **match)
    found = list(settled.values_list("pk", "recipient_id"))
    if not found:
        return 0
    Notification.objects.filter(pk__in=[pk for pk, _user in found]).update(
        read_at=timezone.now())
    people = sorted({user for _pk, user in found})
    transaction.on_commit(lambda: _recount(people))
    return len(found)


def _recount(people: list[int]) -> None:
    from notify import push

    push.push_unread(people)


def _excluded(event: Event) -> set[int]:
    excluded = set()
    for hook in _exclusions:
        excluded |= hook(event)
    return excluded


def _after_commit(ids: list[int], *, send: bool) -> None:
    """Push to open pages; wake the worker only when an email or text was queued (the
    every-minute schedule sends digests and retries)."""
    from notify import delivery, push

    push.push(ids)
    if send:
        delivery.send_soon()
