"""What the administrators' status page shows: is the installation keeping up, is its trail
checkpointed, is it backed up, and can it read its keys.

Every figure is a count, a time, a version number or a name that the system made itself
(a backup's name, a checkpoint's sequence number); nothing here reads complaint content,
names, contact details or key material. Each section is read on its own, so a broken part
(an unreadable keyring, a table not yet migrated) shows as that section's problem instead of
taking the whole page down.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_q.models import Failure, OrmQ

from audit.models import AuditEvent, ChainHead, Checkpoint
from notify.models import Dispatch
from org.calendar import known_through, missing_year
from outbox.models import DeliveryAttempt, Outbox
from vault.errors import KeyringError
from vault.keyring import PURPOSES, load_keyring
from vault.models import DataKey
from vault.rotation import key_usage

RECENT = timedelta(hours=24)
# The backup helper records each backup written as an audit event with this action.
BACKUP_ACTION = "backup.written"
# Detail values worth showing beside the last backup (counts and sizes, never content).
SHOWN_DETAIL_TYPES = (int, float, str, bool)


@dataclass
class Section:
    """One part of the page. `problem` is set (translated) when the part cannot be read or
    needs an administrator's attention; `unreadable` when it could not be read at all."""

    problem: str = ""
    unreadable: bool = False


@dataclass
class Queue(Section):
    waiting: int = 0
    failed_recently: int = 0


@dataclass
class OutboxLag(Section):
    pending: int = 0
    retrying: int = 0
    oldest_since: datetime | None = None
    given_up: int = 0
    failed_attempts_recently: int = 0


@dataclass
class Trail(Section):
    head_seq: int = 0
    checkpoint_seq: int | None = None
    checkpoint_at: datetime | None = None
    exported_file: str = ""
    events_since: int = 0


@dataclass
class Backup(Section):
    name: str = ""
    at: datetime | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)


# What each purpose's keys are for, for the person reading the page (vault.keyring.PURPOSES
# says it for a developer); the purpose's own name stays beside it, as commands take it.
PURPOSE_MEANINGS = {
    "wrap": gettext_lazy("Seals each record's data key"),
    "blind": gettext_lazy("Search indexes that reveal no content"),
    "receipt": gettext_lazy("Checks reporters' receipt codes"),
    "audit": gettext_lazy("Seals each audit event"),
    "sign": gettext_lazy("Signs audit checkpoints"),
}


@dataclass
class PurposeKeys:
    purpose: str
    meaning: str
    active: int
    versions: list[tuple[int, int | None]]  # (version, things still needing it or None)


@dataclass
class Keys(Section):
    purposes: list[PurposeKeys] = field(default_factory=list)
    live_by_wrap_version: list[tuple[int, int, bool]] = field(default_factory=list)
    shredded: int = 0
    needing_rewrap: int = 0
    missing_versions: list[int] = field(default_factory=list)


@dataclass
class Notices(Section):
    failed: int = 0
    waiting: int = 0


@dataclass
class Calendar(Section):
    known_through: date | None = None
    missing_year: int | None = None


@dataclass
class Status:
    queue: Queue
    outbox: OutboxLag
    trail: Trail
    backup: Backup
    keys: Keys
    notices: Notices
    calendar: Calendar
    read_at: datetime

    @property
    def problems(self) -> list[str]:
        return [section.problem for section in
                (self.queue, self.outbox, self.trail, self.backup, self.keys, self.notices,
                 self.calendar)
                if section.problem]


def unreadable(section: Section) -> Section:
    section.problem = _("This part could not be read from the database.")
    section.unreadable = True
    return section


def queue_depth(now: datetime) -> Queue:
    """Tasks waiting in django-q2's database broker, and tasks that failed in the last day."""
    try:
        queue = Queue(
            waiting=OrmQ.objects.count(),
            failed_recently=Failure.objects.filter(stopped__gte=now - RECENT).count(),
        )
    except DatabaseError:
        return unreadable(Queue())
    if queue.failed_recently:
        queue.problem = _("Background tasks failed in the last 24 hours.")
    return queue


def outbox_lag(now: datetime) -> OutboxLag:
    """Deliveries not yet made: how many, and since when the oldest has waited."""
    try:
        waiting = Outbox.objects.filter(state=Outbox.State.PENDING)
        found = waiting.aggregate(oldest=Min("created_at"))
        lag = OutboxLag(
            pending=waiting.filter(attempts=0).count(),
            retrying=waiting.filter(attempts__gt=0).count(),
            oldest_since=found["oldest"],
            given_up=Outbox.objects.filter(state=Outbox.State.DEAD).count(),
            failed_attempts_recently=DeliveryAttempt.objects.filter(
                started_at__gte=now - RECENT,
                outcome__in=[DeliveryAttempt.Outcome.RETRY, DeliveryAttempt.Outcome.PERMANENT],
            ).count(),
        )
    except DatabaseError:
        return unreadable(OutboxLag())
    if lag.given_up:
        lag.problem = _("Some deliveries were given up and must be sent another way.")
    elif lag.oldest_since and now - lag.oldest_since > timedelta(hours=1):
        lag.problem = _("A delivery has been waiting for more than an hour.")
    return lag


def audit_trail() -> Trail:
    """The chain head and the newest checkpoint: whether events were added since."""
    from audit.checkpoints import export_dir

    try:
        head = ChainHead.objects.filter(pk=ChainHead.ONLY).first()
        latest = Checkpoint.objects.order_by("-seq", "-id").first()
    except DatabaseError:
        return unreadable(Trail())
    trail = Trail(head_seq=head.seq if head else 0)
    if latest is None:
        if trail.head_seq:
            trail.problem = _("The audit trail has never been checkpointed.")
        return trail
    trail.checkpoint_seq, trail.checkpoint_at = latest.seq, latest.when
    trail.events_since = max(trail.head_seq - latest.seq, 0)
    if (export_dir() / latest.file_name).is_file():
        trail.exported_file = latest.file_name
    else:
        trail.problem = _("The newest checkpoint's file is missing from the checkpoint folder.")
    return trail


def last_backup() -> Backup:
    try:
        event = AuditEvent.objects.filter(action=BACKUP_ACTION).order_by("-seq").first()
    except DatabaseError:
        return unreadable(Backup())
    if event is None:
        return Backup(problem=_("No backup has been recorded."))
    details = event.details_dict
    facts = [(str(key), str(value)) for key, value in sorted(details.items())
             if isinstance(value, SHOWN_DETAIL_TYPES)]
    backup = Backup(name=event.object_id, at=event.when, facts=facts)
    if timezone.now() - event.when > timedelta(days=2):
        backup.problem = _("The last backup is more than two days old.")
    return backup


def key_status() -> Keys:
    """Versions and what still uses each, from the keyring as it is now on disk (or in the
    environment). The keys themselves are never read into anything shown."""
    try:
        ring = load_keyring()
        purposes = []
        for purpose, meaning in PURPOSES.items():
            active = ring.active_version(purpose)
            versions = [(version, _usage(purpose, version)) for version in ring.versions(purpose)]
            purposes.append(PurposeKeys(purpose, PURPOSE_MEANINGS.get(purpose, meaning), active,
                                        versions))
    except KeyringError as error:
        keys = Keys(problem=_("The keyring cannot be loaded: %(error)s") % {"error": error})
        keys.unreadable = True
        return keys
    keys = Keys(purposes=purposes)
    try:
        live = dict(DataKey.objects.live().values_list("wrap_version")
                    .annotate(n=Count("id")).order_by())
        keys.shredded = DataKey.objects.shredded().count()
    except DatabaseError:
        return unreadable(keys)
    active, known = ring.active_version("wrap"), set(ring.versions("wrap"))
    keys.live_by_wrap_version = [(version, live.get(version, 0), version == active)
                                 for version in sorted(known | set(live))]
    keys.needing_rewrap = sum(n for version, n in live.items() if version != active)
    keys.missing_versions = sorted(set(live) - known)
    if keys.missing_versions:
        keys.problem = _("Some data keys are wrapped by key versions the keyring lacks; "
                         "what they protect cannot be read.")
    elif keys.needing_rewrap:
        keys.problem = _("Key rotation is unfinished: run 'manage.py keys rotate'.")
    return keys


def _usage(purpose: str, version: int) -> int | None:
    try:
        return key_usage(purpose, version)
    except DatabaseError:
        return None


def notices() -> Notices:
    """Emails and text messages to staff that could not be sent, and those waiting."""
    try:
        found = Notices(
            failed=Dispatch.objects.filter(state=Dispatch.State.FAILED).count(),
            waiting=Dispatch.objects.filter(state=Dispatch.State.PENDING).count(),
        )
    except DatabaseError:
        return unreadable(Notices())
    if found.failed:
        found.problem = _("Some emails or text messages to staff could not be sent.")
    return found


def calendar() -> Calendar:
    """How far ahead the working-day calendar is known: a year without its lunar new year
    would count three holidays as working days in every clock that crosses them."""
    today = timezone.localdate()
    try:
        found = Calendar(known_through=known_through(today), missing_year=missing_year(today))
    except DatabaseError:
        return unreadable(Calendar())
    if found.missing_year:
        found.problem = _(
            "The holidays of %(year)s that move each year (Tsagaan Sar) are not in the "
            "calendar: deadlines that fall in %(year)s are provisional until an administrator "
            "enters them under Holiday calendar.") % {"year": found.missing_year}
    return found


def read_status() -> Status:
    now = timezone.now()
    return Status(queue=queue_depth(now), outbox=outbox_lag(now), trail=audit_trail(),
                  backup=last_backup(), keys=key_status(), notices=notices(),
                  calendar=calendar(), read_at=now)
