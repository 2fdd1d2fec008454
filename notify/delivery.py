"""Emails and text messages that tell staff a notification is waiting: the outbox (Dispatch
rows, written in the emitting transaction) and the task that empties it.

What a message says is fixed here and says almost nothing: that something needs attention,
the kind of thing at most, and a link to the notification centre. Never a complaint's text,
a reporter's name or contact details, and not even a reference number, since email and text
messages leave our hands and are read on screens we do not control. Which case it is, is
behind the sign-in.

While a dispatch is PENDING its `lease_until` holds the moment before which no worker may
take it: the end of the lease of the worker sending it, or the back-off after a failed try.
A worker claims a dispatch with one conditional UPDATE (still pending, and `lease_until`
empty or past), so two workers never send one at once, and one that dies lets go when the
lease runs out.

A person who asks for a daily digest gets one email a day instead of one per notification:
each notification meant for email ensures that day's digest dispatch exists, and the digest
is sent once its day closes at DIGEST_AT (Ulaanbaatar time), with counts per kind.
"""

import logging
import smtplib
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notify import sms
from notify.models import Channel, Dispatch, Kind, Notification, Preference, Profile
from notify.rules import DEFAULT_EMAIL

logger = logging.getLogger(__name__)

UB = ZoneInfo("Asia/Ulaanbaatar")
# A day's digest covers the notifications from this time the day before until this time,
# and is sent then: the end of the working day, so that it is read before the next.
DIGEST_AT = clock(17, 0)
# A worker holds a claimed dispatch this long (well past EMAIL_TIMEOUT).
LEASE_SECONDS = 120
# Tries before a dispatch is given up; between tries the wait doubles from a minute.
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
# One run sends at most this many, and stops starting new ones after the budget, well
# inside the worker's task timeout; the next run takes the rest.
BATCH = 200
BUDGET_SECONDS = 60


class DispatchError(Exception):
    """A try that did not send. `detail` is a status code or an error's class name, safe to
    log; `permanent` means trying again will not help."""

    def __init__(self, detail: str, *, permanent: bool = False):
        super().__init__(detail)
        self.detail = detail[:200]
        self.permanent = permanent


# --- preferences ----------------------------------------------------------------------------

def default_wanted(kind: str, channel: str) -> bool:
    """Whether `kind` goes by `channel` for someone who has not said: email for the kinds
    in rules.DEFAULT_EMAIL, text messages never (they cost money and wake people up)."""
    return channel == Channel.EMAIL and kind in DEFAULT_EMAIL


def wanted_channels(user_ids) -> "Wants":
    return Wants(
        {(p.user_id, p.kind, p.channel): p.enabled
         for p in Preference.objects.filter(user_id__in=list(user_ids))}
    )


@dataclass(frozen=True)
class Wants:
    """The preferences of a few people, read once."""

    rows: dict

    def __call__(self, user_id: int, kind: str, channel: str) -> bool:
        return self.rows.get((user_id, kind, channel), default_wanted(kind, channel))


def digest_day(moment: datetime) -> date:
    """The day whose digest a notification made at `moment` goes in: today's until
    DIGEST_AT in Ulaanbaatar, tomorrow's after it."""
    local = timezone.localtime(moment, UB)
    return local.date() if local.time() < DIGEST_AT else local.date() + timedelta(days=1)


def digest_window(day: date) -> tuple[datetime, datetime]:
    end = datetime.combine(day, DIGEST_AT, tzinfo=UB)
    return end - timedelta(days=1), end


def last_closed_digest_day(now: datetime) -> date:
    """The latest day whose digest is due at `now`."""
    return digest_day(now) - timedelta(days=1)


# --- writing the outbox (inside the emitting transaction) -----------------------------------

def queue_dispatches(notification_ids) -> int:
    """Write the emails and text messages that tell of `notification_ids`, in the caller's
    transaction, so they exist exactly when the notifications do. Returns how many rows
    were asked for. Conflicts with the unique constraints (a digest row that exists already,
    a notification queued twice) are skipped by the database itself (ON CONFLICT DO
    NOTHING / INSERT OR IGNORE), which on PostgreSQL also keeps the caller's transaction
    usable where catching an IntegrityError would need a savepoint."""
    notifications = list(
        Notification.objects.filter(pk__in=list(notification_ids))
        .select_related("recipient").only("pk", "kind", "created_at", "recipient__email",
                                          "recipient__is_active")
    )
    if not notifications:
        return 0
    people = {n.recipient_id for n in notifications}
    wants = wanted_channels(people)
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=people)}
    rows = []
    for notification in notifications:
        recipient = notification.recipient
        profile = profiles.get(recipient.pk)
        if not recipient.is_active:
            continue
        if recipient.email and wants(recipient.pk, notification.kind, Channel.EMAIL):
            if profile is not None and profile.daily_digest:
                rows.append(Dispatch(recipient=recipient, channel=Channel.EMAIL,
                                     digest_day=digest_day(notification.created_at)))
            else:
                rows.append(Dispatch(recipient=recipient, channel=Channel.EMAIL,
                                     notification=notification))
        if (profile is not None and profile.sms_number
                and wants(recipient.pk, notification.kind, Channel.SMS)):
            rows.append(Dispatch(recipient=recipient, channel=Channel.SMS,
                                 notification=notification))
    Dispatch.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def send_soon() -> None:
    """Called after the emitting transaction commits: the worker sends what is pending.
    The task takes no arguments; everything it needs is in the outbox."""
    from core.queue import enqueue

    enqueue("notify.tasks.send_pending")


# --- sending (in the task worker) -----------------------------------------------------------

def _claimable(now: datetime):
    return Dispatch.objects.filter(state=Dispatch.State.PENDING).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now))


def due_ids(now: datetime, *, digests_only: bool = False) -> list[int]:
    """Pending dispatches nobody holds: single ones, and digests whose day has closed."""
    closed_digests = Q(digest_day__isnull=False, digest_day__lte=last_closed_digest_day(now))
    wanted = closed_digests if digests_only else Q(digest_day__isnull=True) | closed_digests
    return list(_claimable(now).filter(wanted).order_by("pk").values_list("pk", flat=True)
                [:BATCH])


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def send_pending(*, digests_only: bool = False) -> str:
    """Send what is due, each dispatch by the one worker that claims it. Returns a few
    words for the task's result."""
    started = time.monotonic()
    outcomes: Counter = Counter()
    mailer = _Mailer()
    try:
        for dispatch_id in due_ids(timezone.now(), digests_only=digests_only):
            if time.monotonic() - started > BUDGET_SECONDS:
                break
            outcomes[send_one(dispatch_id, mailer)] += 1
    finally:
        mailer.close()
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or (
        "nothing due")


def send_digests() -> str:
    """The daily run at DIGEST_AT (notify/schedules.py)."""
    return send_pending(digests_only=True)


def send_one(dispatch_id: int, mailer: "_Mailer | None" = None) -> str:
    """One try at one dispatch, if nobody else holds it. `mailer` lets a run share one SMTP
    connection between its emails."""
    if mailer is None:
        mailer = _Mailer()
        try:
            return send_one(dispatch_id, mailer)
        finally:
            mailer.close()
    now = timezone.now()
    lease = now + timedelta(seconds=LEASE_SECONDS)
    claimed = _claimable(now).filter(pk=dispatch_id).update(lease_until=lease,
                                                             attempts=F("attempts") + 1)
    if not claimed:
        return "held elsewhere"
    dispatch = Dispatch.objects.select_related(
        "recipient", "notification").get(pk=dispatch_id)
    try:
        _send(dispatch, mailer)
    except DispatchError as error:
        return _failed(dispatch, lease, error)
    except Exception as error:  # a try never crashes the worker
        # The class name only: an exception's message might quote an address.
        logger.error("dispatch %s: unexpected %s while sending", dispatch.pk,
                     type(error).__name__)
        return _failed(dispatch, lease, DispatchError(type(error).__name__))
    held = Dispatch.objects.filter(pk=dispatch.pk, state=Dispatch.State.PENDING,
                                   lease_until=lease)
    if not held.update(state=Dispatch.State.SENT, sent_at=timezone.now(), lease_until=None):
        logger.warning("dispatch %s: lease ran out while sending", dispatch.pk)
        return "lease lost"
    return "sent"


def _failed(dispatch: Dispatch, lease: datetime, error: DispatchError) -> str:
    held = Dispatch.objects.filter(pk=dispatch.pk, state=Dispatch.State.PENDING,
                                   lease_until=lease)
    if error.permanent or dispatch.attempts >= MAX_ATTEMPTS:
        held.update(state=Dispatch.State.FAILED, lease_until=None)
        logger.warning("dispatch %s (%s): given up after %d tries (%s)", dispatch.pk,
                       dispatch.channel, dispatch.attempts, error.detail)
        return "failed"
    held.update(lease_until=timezone.now() + retry_delay(dispatch.attempts))
    logger.info("dispatch %s (%s): try %d did not send (%s)", dispatch.pk, dispatch.channel,
                dispatch.attempts, error.detail)
    return "retry"


def _send(dispatch: Dispatch, mailer: "_Mailer") -> None:
    recipient = dispatch.recipient
    if not recipient.is_active:
        raise DispatchError("recipient inactive", permanent=True)
    with translation.override(settings.LANGUAGE_CODE):
        if dispatch.channel == Channel.SMS:
            _send_sms(dispatch)
        elif dispatch.digest_day is not None:
            counts = digest_counts(recipient.pk, dispatch.digest_day)
            # Nothing left to tell (email turned off for those kinds since): the digest is
            # done without an email rather than saying "nothing happened".
            if counts:
                mailer.send(dispatch, recipient.email, *digest_message(counts))
        else:
            mailer.send(dispatch, recipient.email, *notification_message(dispatch.notification))


# --- what the messages say ------------------------------------------------------------------

def centre_link() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + reverse("notify:centre")


def notification_message(notification: Notification) -> tuple[str, str]:
    """Subject and body of the email for one notification: its kind, and the link."""
    label = notification.get_kind_display()
    subject = _("Shugel: %(kind)s") % {"kind": label}
    body = _(
        "Something needs your attention in Shugel: %(kind)s.\n\n"
        "Sign in to see it:\n%(link)s\n"
    ) % {"kind": label, "link": centre_link()}
    return subject, body


def sms_text(notification: Notification) -> str:
    return _("Shugel: %(kind)s. Sign in to see it: %(link)s") % {
        "kind": notification.get_kind_display(), "link": centre_link()}


def digest_counts(user_id: int, day: date) -> dict[str, int]:
    """How many notifications of each kind `user_id` had in `day`'s digest window, among
    the kinds they want by email."""
    start, end = digest_window(day)
    kinds = Counter(
        Notification.objects.filter(recipient_id=user_id, created_at__gte=start,
                                    created_at__lt=end).values_list("kind", flat=True)
    )
    wants = wanted_channels([user_id])
    return {kind: count for kind, count in kinds.items() if wants(user_id, kind, Channel.EMAIL)}


def digest_message(counts: dict[str, int]) -> tuple[str, str]:
    labels = dict(Kind.choices)
    lines = "\n".join(f"- {labels.get(kind, kind)}: {count}"
                      for kind, count in sorted(counts.items(), key=lambda item: item[0]))
    subject = _("Shugel: your notifications of the day")
    body = _(
        "These need your attention in Shugel:\n\n%(lines)s\n\n"
        "Sign in to see them:\n%(link)s\n"
    ) % {"lines": lines, "link": centre_link()}
    return subject, body


# --- the channels ---------------------------------------------------------------------------

def _send_sms(dispatch: Dispatch) -> None:
    profile = Profile.objects.filter(user_id=dispatch.recipient_id).first()
    if profile is None or not profile.sms_number:
        raise DispatchError("no mobile number", permanent=True)
    try:
        sms.backend().send(profile.sms_number, sms_text(dispatch.notification))
    except sms.SMSError as error:
        raise DispatchError(error.detail, permanent=error.permanent)


class _Mailer:
    """One SMTP connection for a run's emails, opened when the first one is sent."""

    def __init__(self):
        self.connection = None

    def send(self, dispatch: Dispatch, address: str, subject: str, body: str) -> None:
        if not address:
            raise DispatchError("no email address", permanent=True)
        domain = urlsplit(settings.SITE_URL).hostname or "shugel.invalid"
        try:
            if self.connection is None:
                self.connection = get_connection()
                self.connection.open()
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address],
                         connection=self.connection,
                         headers={"Message-ID": f"<notify-{dispatch.pk}@{domain}>"}).send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _text in error.recipients.values()})
            raise DispatchError(f"SMTP {codes}", permanent=all(c >= 500 for c in codes))
        except smtplib.SMTPResponseException as error:
            self.close()
            raise DispatchError(f"SMTP {error.smtp_code}", permanent=error.smtp_code >= 500)
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise DispatchError(type(error).__name__)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None
