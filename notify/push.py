"""Live push: a notification, once committed, goes to its recipient's open pages.

Each signed-in page joins its user's group (notify.consumers). With Redis (the scaled
deployment) a group_send from any process reaches every web process. In the embedded
deployment the channel layer lives inside the web process: a notification made there is
pushed at once, and one made in the task worker (a delivery, a clock) cannot be; the
consumer finds those by reading the notifications table (the database-backed path, see
notify.consumers). Either way the notification rows are the truth, and a page that was
offline catches up from them when it reconnects.

A channel layer that is down must not fail the change that caused the notification, nor
fill the log: the error is logged once per LOG_EVERY_SECONDS and push gives up quietly.
"""

import logging
import threading
from collections import deque

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from core.logging import Every
from notify.models import Notification

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 300
_outage_log = Every(LOG_EVERY_SECONDS)

# The ids this process pushed lately, for its watcher (notify.watch), which would otherwise
# send them to the same pages a second time. Pushing happens in request and task threads.
REMEMBERED = 5000
_pushed_order: deque[int] = deque()
_pushed: set[int] = set()
_pushed_lock = threading.Lock()


def _remember_pushed(ids: list[int]) -> None:
    with _pushed_lock:
        for number in ids:
            if number not in _pushed:
                _pushed.add(number)
                _pushed_order.append(number)
        while len(_pushed_order) > REMEMBERED:
            _pushed.discard(_pushed_order.popleft())


def _forget_pushed(ids: list[int]) -> None:
    with _pushed_lock:
        _pushed.difference_update(ids)


def pushed_forget_all() -> None:
    """Forget every id pushed. Ids are pushed only once committed, so in a running site an
    id is never pushed twice; a test that is rolled back gives its ids to the next test."""
    with _pushed_lock:
        _pushed.clear()
        _pushed_order.clear()


def all_pushed_here(after: int, upto: int) -> bool:
    """Whether every id in (after, upto] is one this process pushed: then the watcher need
    not even read which they are (ids run without gaps unless a transaction rolled back)."""
    if upto - after > REMEMBERED:
        return False
    with _pushed_lock:
        return all(number in _pushed for number in range(after + 1, upto + 1))


def not_pushed_here(ids: list[int]) -> list[int]:
    """Those of `ids` this process has not pushed (as far as it remembers)."""
    with _pushed_lock:
        return [number for number in ids if number not in _pushed]


def user_group(user_id: int) -> str:
    return f"notify.user.{user_id}"


def payload(notification: Notification) -> dict:
    """What a browser receives: the kind, its label, the unit and the subject's ids. Never
    what a complaint says."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "label": str(notification.get_kind_display()),
        "unit": notification.unit.code,
        "subject": notification.event.subject,
        "created_at": notification.created_at.isoformat(),
    }


def push(ids: list[int]) -> int:
    """Send the notifications `ids` to their recipients' groups; returns how many went."""
    if not ids:
        return 0
    layer = get_channel_layer()
    if layer is None:
        return 0
    # Before sending, so that the watcher does not send them meanwhile; what did not go is
    # forgotten again.
    _remember_pushed(ids)
    sent: set[int] = set()
    try:
        for notification in (Notification.objects.filter(pk__in=ids)
                             .select_related("event", "unit")):
            async_to_sync(layer.group_send)(
                user_group(notification.recipient_id),
                {"type": "notify.message", "notification": payload(notification)},
            )
            sent.add(notification.pk)
    except Exception as error:  # noqa: BLE001 - the layer being down must not fail the change
        _forget_pushed([number for number in ids if number not in sent])
        if _outage_log.due():
            logger.error("live push unavailable (%s); pages catch up from the database",
                         type(error).__name__)
    return len(sent)


def push_unread(user_ids: list[int]) -> int:
    """Tell the open pages of `user_ids` to show their unread count again: notifications
    were settled by someone else's work (notify.events.settle)."""
    layer = get_channel_layer()
    if layer is None or not user_ids:
        return 0
    try:
        for user_id in user_ids:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "notify.unread"})
    except Exception as error:  # noqa: BLE001 - as in push
        if _outage_log.due():
            logger.error("live push unavailable (%s); pages catch up from the database",
                         type(error).__name__)
        return 0
    return len(user_ids)
