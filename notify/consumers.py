"""The staff websocket at /ws/notifications/: a signed-in page's live feed of its own
notifications.

Who may connect is decided here, before the socket is accepted, with the same rules as the
staff pages (org.access): signed in, an active account, the second factor where the
deployment requires it, and an active role somewhere. A page of one unit adds `?unit=CODE`
and then needs a role in that unit; an unknown unit and a unit where the person has no role
are refused alike, so the socket does not confirm which units exist.

Close codes (the socket is never accepted when refused; browsers see a failed handshake):
    4401  not signed in, or without the second factor
    4403  signed in but with no active role anywhere
    4404  `?unit=` names a unit the person holds no role in, or none at all

What a socket receives is notify.push.payload: ids, kinds and references, never what a
complaint says or who made it. Each person joins only their own group, so recusals and the
rules of who is told (notify.events) apply unchanged: a notification row exists for someone
exactly when they may be told.

Notifications reach a socket by two paths, and the notification rows are the truth for
both. The channel layer carries what is pushed after commit (notify.push). The database
path covers what the layer cannot carry: events raised in the task worker when the layer is
the in-process one, and everything when Redis is down. With the in-process layer, one
watcher per server process (notify.watch) notices new rows and hands them to the layer, and
a socket reads the table itself only when the layer has failed, every
FALLBACK_POLL_SECONDS; a page that reconnects asks to `catch_up`. Both paths may see the
same notification; a socket sends each id once.
"""

import asyncio
import functools
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.utils import await_many_dispatch
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import is_verified
from django_otp.models import Device

from core.logging import Every
from notify import watch
from notify.models import Notification
from notify.push import payload, user_group
from org.access import roles_in_unit, second_factor_satisfied
from org.models import Membership, Unit

logger = logging.getLogger(__name__)

NOT_SIGNED_IN = 4401
NO_ROLE = 4403
NO_SUCH_UNIT = 4404

CATCH_UP_LIMIT = 200
# How often a socket makes sure its session and account are still good when it has no
# polling to piggyback on (the Redis deployment).
RECHECK_SECONDS = 60
# Polling that takes over when the channel layer fails, whatever NOTIFY_POLL_SECONDS says.
FALLBACK_POLL_SECONDS = 2
LAYER_TIMEOUT_SECONDS = 3
# Ids a socket remembers having sent, to refuse duplicates that arrive out of order.
REMEMBERED_IDS = 1000
LOG_EVERY_SECONDS = 300
_outage_log = Every(LOG_EVERY_SECONDS)


class _NoClientAddress(logging.Filter):
    """uvicorn logs every websocket handshake as `<client address> - "WebSocket <path>"
    <outcome>`, even without its access log, and the address is a plain argument that
    core.logging.DropRequestDetails does not see. No one's address may reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (isinstance(record.msg, str) and record.msg.startswith('%s - "WebSocket')
                and isinstance(record.args, tuple) and record.args):
            record.args = ("-", *record.args[1:])
        return True


# Here, beside the only websocket, because this module is loaded by exactly the processes
# that serve websockets (config.asgi); uvicorn has configured its loggers by then.
logging.getLogger("uvicorn.error").addFilter(_NoClientAddress())


def unit_group(unit_code: str, role: str) -> str:
    """A unit's role-holders, for signals about the unit as a whole. Never for anything
    about one complaint: recusal is applied per recipient, not per group."""
    return f"notify.unit.{unit_code}.{role}"


def _log_layer_down(error: BaseException) -> None:
    """Once per LOG_EVERY_SECONDS for the whole process, not once per socket: with Redis
    down, every page of every person would otherwise write the same line."""
    if _outage_log.due():
        logger.error("channel layer unavailable (%s); live pages poll the database",
                     type(error).__name__)


@dataclass
class Admission:
    user_id: int
    unit_code: str = ""
    roles: set[str] = field(default_factory=set)
    newest_id: int = 0  # the person's newest notification when admitted
    newest_overall: int = 0  # and anyone's: where the process's watcher starts from


def _verify_second_factor(user, session) -> None:
    """What django_otp's OTPMiddleware does for a request, done for a socket: channels'
    AuthMiddlewareStack loads the user from the session but not the device that verified
    them. The device must still exist, be confirmed and belong to this user."""
    user.otp_device = None
    user.is_verified = functools.partial(is_verified, user)
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return
    if persistent_id.count(".") > 1:  # the legacy full-path form, as OTPMiddleware reads it
        parts = persistent_id.split(".")
        persistent_id = ".".join((parts[-3], parts[-1]))
    device = Device.from_persistent_id(persistent_id)
    if device is not None and device.user_id == user.pk and device.confirmed:
        user.otp_device = device


@database_sync_to_async
def admit(scope: dict, unit_code: str) -> Admission | int:
    """An Admission, or the close code that refuses the socket."""
    user = scope.get("user")
    if user is None or not user.is_authenticated or not user.is_active:
        return NOT_SIGNED_IN
    _verify_second_factor(user, scope.get("session"))
    if not second_factor_satisfied(user):
        return NOT_SIGNED_IN
    if not Membership.objects.active().filter(user=user).exists():
        return NO_ROLE
    roles: set[str] = set()
    if unit_code:
        unit = Unit.objects.active().filter(code=unit_code).first()
        roles = roles_in_unit(user, unit) if unit else set()
        if not roles:
            return NO_SUCH_UNIT
    newest = (Notification.objects.filter(recipient=user).order_by("-pk")
              .values_list("pk", flat=True).first())
    return Admission(user_id=user.pk, unit_code=unit_code, roles=roles, newest_id=newest or 0,
                     newest_overall=watch.newest_notification_id())


@database_sync_to_async
def still_allowed(user_id: int, session_key: str | None, check_session: bool) -> bool:
    """The account is still active and holds a role; with `check_session`, the session the
    socket was opened with still exists and still belongs to them (not signed out)."""
    if not Membership.objects.active().filter(user_id=user_id).exists():
        return False
    if not check_session:
        return True
    if not session_key:
        return False
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key=session_key)
    return str(store.load().get(SESSION_KEY)) == str(user_id)


@database_sync_to_async
def notifications_after(user_id: int, after: int, limit: int = CATCH_UP_LIMIT) -> list[dict]:
    """The user's notifications newer than `after`, oldest first: one query on the index
    (recipient, read_at, id)."""
    found = (Notification.objects.filter(recipient_id=user_id, pk__gt=after)
             .select_related("event", "unit").order_by("pk")[:limit])
    return [payload(notification) for notification in found]


@database_sync_to_async
def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id).unread().count()


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """One open staff page. See the module's docstring for who may connect and why."""

    async def __call__(self, scope, receive, send):
        # AsyncConsumer.__call__, except that a channel layer that fails (Redis down) does
        # not end the socket: channels would re-raise the layer's error from its receive
        # loop and drop the page, while the database path can still serve it.
        self.scope = scope
        self.base_send = send
        self.layer_ready = asyncio.Event()
        self.layer_down = False
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            sources.append(self._receive_from_layer)
        try:
            await await_many_dispatch(sources, self.dispatch)
        except StopConsumer:
            pass

    async def _receive_from_layer(self):
        # Not before the groups are joined: if that failed, the layer is not asked again.
        await self.layer_ready.wait()
        while not self.layer_down:
            try:
                return await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - fall back to the database path
                self._layer_failed(error)
        await asyncio.Event().wait()  # nothing more from the layer; cancelled on close

    def _layer_failed(self, error: BaseException) -> None:
        _log_layer_down(error)
        self.layer_down = True
        if self.watched:  # the watcher sends through the layer: read the table here instead
            watch.watcher().close(self, self.admission.user_id)
            self.unwatched()
        if self.poll_seconds <= 0:
            self.poll_seconds = FALLBACK_POLL_SECONDS
            self.wake.set()  # the watch may be asleep for RECHECK_SECONDS

    # --- connecting ---------------------------------------------------------------------

    async def connect(self):
        self.admission = None
        self.watched = False
        self.joined: list[str] = []
        self.sent: set[int] = set()
        self.forgotten_below = 0
        self.last_sent = 0
        self.watch = None
        self.wake = asyncio.Event()
        self.poll_seconds = settings.NOTIFY_POLL_SECONDS
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        unit_code = (query.get("unit") or [""])[0][:20]
        result = await admit(self.scope, unit_code)
        if isinstance(result, int):
            await self.close(code=result)
            return
        self.admission = result
        self.last_sent = result.newest_id
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        await self._join(user_group(result.user_id))
        for role in sorted(result.roles):
            await self._join(unit_group(result.unit_code, role))
        if not self.layer_down:
            self.layer_ready.set()
        missed = []
        if settings.NOTIFY_POLL_SECONDS > 0 and not self.layer_down and self.channel_layer:
            self.watched = True
            watch.watcher().open(self, result.user_id, since=result.newest_overall)
            # A watcher already running may have passed what was made since the admission,
            # before this person was among those it reads for.
            try:
                missed = await notifications_after(result.user_id, result.newest_id)
            except BaseException:  # the socket is not opened: the watcher must let it go
                watch.watcher().close(self, result.user_id)
                self.watched = False
                raise
        await self.accept()
        for item in missed:
            await self._send_notification(item)
        self.watch = asyncio.create_task(self._watch())

    def unwatched(self) -> None:
        """The process's watcher no longer serves this page: it reads the table itself."""
        self.watched = False
        self.poll_seconds = self.poll_seconds or FALLBACK_POLL_SECONDS
        self.wake.set()

    async def _join(self, group: str) -> None:
        if self.channel_layer is None or self.layer_down:
            return
        try:
            await asyncio.wait_for(self.channel_layer.group_add(group, self.channel_name),
                                   LAYER_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001 - Redis down: keep the page, poll instead
            self._layer_failed(error)
        else:
            self.joined.append(group)

    async def websocket_disconnect(self, message):
        if self.watch is not None:
            self.watch.cancel()
        if getattr(self, "watched", False):
            watch.watcher().close(self, self.admission.user_id)
            self.watched = False
        if not self.layer_down:
            for group in getattr(self, "joined", ()):
                try:
                    await asyncio.wait_for(
                        self.channel_layer.group_discard(group, self.channel_name),
                        LAYER_TIMEOUT_SECONDS)
                except Exception:  # noqa: BLE001, S112 - the group expires on its own
                    continue
        await super().websocket_disconnect(message)

    async def disconnect(self, code):
        pass

    # --- the database path ----------------------------------------------------------------

    async def _watch(self):
        """Polls the notifications table when this page must (the layer failed, or there is
        no layer), and checks that the person may still be here: now and then, and when the
        process's watcher wakes it because they lost their role."""
        last_check = time.monotonic()
        try:
            while True:
                polling = self.poll_seconds > 0 and not self.watched
                try:
                    await asyncio.wait_for(self.wake.wait(),
                                           self.poll_seconds if polling else RECHECK_SECONDS)
                except TimeoutError:
                    pass
                self.wake.clear()
                now = time.monotonic()
                check_session = now - last_check >= RECHECK_SECONDS
                if not await still_allowed(self.admission.user_id, self.session_key,
                                           check_session):
                    await self.close(code=NOT_SIGNED_IN)
                    return
                if check_session:
                    last_check = now
                if self.poll_seconds > 0 and not self.watched:
                    for item in await notifications_after(self.admission.user_id,
                                                          self.last_sent):
                        await self._send_notification(item)
        except asyncio.CancelledError:
            pass

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "catch_up":
            return
        since = content.get("since")
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            since = self.last_sent
        for item in await notifications_after(self.admission.user_id, since):
            await self._send_notification(item)
        await self.send_json({"type": "unread",
                              "count": await unread_count(self.admission.user_id)})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.admission is None or text_data is None or len(text_data) > 200:
            return
        try:
            await super().receive(text_data=text_data, **kwargs)
        except ValueError:  # not JSON: a confused client, not worth a traceback
            return

    # --- the channel layer path -----------------------------------------------------------

    async def notify_message(self, event):
        await self._send_notification(event["notification"])

    async def notify_unread(self, event):
        if self.admission is not None:
            await self.send_json({"type": "unread",
                                  "count": await unread_count(self.admission.user_id)})

    async def _send_notification(self, item: dict) -> None:
        """Sends `item` unless this socket already has. Ids from two transactions may
        arrive out of order (the later id committed first), so sent ids are remembered,
        not only the highest."""
        number = item["id"]
        if number in self.sent or number < self.forgotten_below:
            return
        self.sent.add(number)
        if len(self.sent) > REMEMBERED_IDS:
            kept = sorted(self.sent)[-REMEMBERED_IDS // 2:]
            self.sent, self.forgotten_below = set(kept), kept[0]
        self.last_sent = max(self.last_sent, number)
        await self.send_json({"type": "notification", "notification": item})

