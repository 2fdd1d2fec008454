"""Intake workflows: every way a complaint comes in, each one transaction with its audit event.

Views parse and validate input, then call one of these. Each either saves everything it was
given (complaint, data key, attachments, audit event) or nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import ANONYMOUS_REPORTER, SYSTEM, record
from intake.models import (
    BOX_CHANNELS,
    Attachment,
    BoxOpening,
    Channel,
    Complaint,
    DiscardedSlip,
    Kind,
    Message,
    Recusal,
    ReferenceCounter,
    Status,
    checked_title,
)
from intake.receipts import new_code, receipt_hash
from intake.recusal import named_staff
from intake.signing import complaint_signed, signature_store
from intake.tallies import complaint_tallies, tallies_add
from notify.events import emit
from notify.models import Kind as Notice
from org.calendar import add_working_days_each
from org.models import Membership, Role, Unit
from vault.blind import blind_index
from vault.files import atomic_with_files, save_encrypted
from vault.models import DataKey

ACKNOWLEDGE_WORKING_DAYS = 7
RESOLVE_WORKING_DAYS = 30
RESOLVE_SUGGESTION_WORKING_DAYS = 90
EXTENSION_WORKING_DAYS = 30


@dataclass(frozen=True)
class Content:
    """What a reporter said, as it arrives: all of it is sealed before it is stored."""

    body: str
    subject: str = ""
    particulars: dict | None = None  # where, when, who was involved
    reporter: dict | None = None  # name, phone (E.164), email, address: all optional
    channel_details: dict | None = None


@dataclass(frozen=True)
class Upload:
    """A file already checked for size and type, with metadata stripped (see uploads.py)."""

    file: object  # a binary file object, read in chunks
    filename: str
    content_type: str


@dataclass
class Logged:
    complaint: Complaint
    # Shown once to the reporter, never stored; kept out of repr(), which error pages and
    # tracebacks print.
    receipt: str | None = field(default=None, repr=False)
    attachments: list[Attachment] = field(default_factory=list)


# ReferenceCounter's table (SQLite and PostgreSQL both take UPDATE … RETURNING).
_MOVE_COUNTER = ('UPDATE "intake_referencecounter" SET "last" = "last" + 1 '
                 'WHERE "unit_id" = %s AND "year" = %s RETURNING "last"')


def next_reference(unit: Unit, year: int) -> str:
    """DG-2026-00042: per unit and year, without gaps, safe under concurrent intake. One
    statement moves the counter and reads it (locked to COMMIT); the year's first makes it."""
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_COUNTER, [unit.pk, year])
        moved = cursor.fetchone()
    if moved is not None:
        return f"{unit.code}-{year}-{moved[0]:05d}"
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        unit=unit, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{unit.code}-{year}-{counter.last:05d}"


def _clocks(unit: Unit, kind: str, received_at: datetime) -> dict:
    received = timezone.localdate(received_at)
    resolve_days = (
        RESOLVE_SUGGESTION_WORKING_DAYS if kind == Kind.SUGGESTION else RESOLVE_WORKING_DAYS
    )
    acknowledge, resolve = add_working_days_each(
        received, [ACKNOWLEDGE_WORKING_DAYS, resolve_days], unit)
    return {"acknowledge_due": acknowledge, "resolve_due": resolve}


def attachment_context(complaint: Complaint) -> str:
    """The context the attachments of `complaint` are sealed under (see vault.files)."""
    return f"intake.attachment|{complaint.uid}"


def _seal_uploads(complaint: Complaint, uploads) -> list[tuple[Upload, object]]:
    """Encrypt each upload to disk with the complaint's data key; rows come later."""
    sealed = []
    for upload in uploads:
        saved = save_encrypted(upload.file, data_key=complaint.data_key,
                               context=attachment_context(complaint))
        sealed.append((upload, saved))
    return sealed


def _attachment_rows(complaint: Complaint, sealed, *, message=None, by_reporter: bool):
    return [Attachment.objects.create(
        complaint=complaint, message=message, data_key=complaint.data_key,
        stored_name=saved.name, filename=upload.filename,
        content_type=upload.content_type, size=saved.size, sha256=saved.sha256,
        uploaded_by_reporter=by_reporter,
    ) for upload, saved in sealed]


def _store_uploads(complaint: Complaint, uploads, *, message=None, by_reporter: bool):
    return _attachment_rows(complaint, _seal_uploads(complaint, uploads), message=message,
                            by_reporter=by_reporter)


def _read_first(unit, kind, received_at, content: Content) -> dict:
    """What a new complaint needs from reading alone: the staff it names, the parent unit
    it goes up to, its deadlines and its likeness signature (keyed hashes of the text, no
    text). Read before the workflow's transaction where it allows, so that SQLite's write
    lock (BEGIN IMMEDIATE) is held for the writes only."""
    recused = _named_in(unit, content)
    return {"recused": recused, "escalated_to": _escalation(unit, recused),
            "clocks": _clocks(unit, kind, received_at),
            "signed": complaint_signed([(content.body or "").strip(), content.subject.strip()])}


def _open_complaint(*, unit, channel, kind, received_at, content: Content, actor,
                    logged_by=None, receipt: tuple[str, str] | None = None, uploads=(),
                    read: dict | None = None, **metadata) -> Logged:
    if not content.body or not content.body.strip():
        raise ValidationError(_("Write what happened."), code="empty")
    now = timezone.now()
    if received_at > now + timedelta(minutes=5):
        raise ValidationError(_("The time received cannot be in the future."), code="future")
    phone = (content.reporter or {}).get("phone")
    read = read or _read_first(unit, kind, received_at, content)
    recused, signed = read["recused"], read["signed"]
    complaint = Complaint(
        unit=unit,
        channel=channel,
        kind=kind,
        received_at=received_at,
        logged_by=logged_by,
        data_key=DataKey.objects.create_fresh(),
        receipt_hash=receipt[1] if receipt else None,
        reporter_phone_index=blind_index("phone", phone) if phone else "",
        escalated_to=read["escalated_to"],
        **read["clocks"],
        **metadata,
    )
    complaint.body = content.body.strip()
    complaint.subject = content.subject.strip() or None
    complaint.particulars = content.particulars or None
    complaint.reporter = content.reporter or None
    complaint.channel_details = content.channel_details or None
    sealed = _seal_uploads(complaint, uploads)
    # From here to COMMIT this transaction holds the unit's reference counter and then the
    # audit chain's head, which every other intake in the unit (and every audited change)
    # waits for on PostgreSQL: everything slow (reading, encrypting, files) is done above.
    complaint.reference = next_reference(unit, timezone.localdate(received_at).year)
    complaint.save()
    tallies_add(complaint_tallies(complaint))  # the reports' counters, in this transaction
    attachments = _attachment_rows(complaint, sealed, by_reporter=actor is ANONYMOUS_REPORTER)
    _recuse(complaint, recused)
    signature_store(complaint, *signed, new=True)
    # After the recusals, so that the staff the complaint names are not told of it.
    _tell(Notice.COMPLAINT_LOGGED, complaint, actor=actor)
    record(
        actor=actor, action="complaint.logged", target=complaint, unit=unit,
        details={"reference": complaint.reference, "channel": channel, "kind": kind,
                 "attachments": len(attachments), "receipt_issued": receipt is not None},
    )
    _record_recusal(complaint, recused)
    return Logged(complaint=complaint, receipt=receipt[0] if receipt else None,
                  attachments=attachments)


def _named_in(unit, content: Content) -> set:
    """The unit's staff the complaint names. The text is read here, in memory, and only
    the people found leave this function."""
    return named_staff(unit, [content.body or "", content.subject,
                              *_strings(content.particulars)])


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def _escalation(unit, recused: set) -> Unit | None:
    """The parent unit, when the complaint names a head of this unit: the case is then
    also the parent head's, since the unit's own head may not handle it."""
    if unit.parent_id is None or not recused:
        return None
    heads = Membership.objects.active().filter(unit=unit, role=Role.HEAD, user__in=recused)
    return unit.parent if heads.exists() else None


def _tell(kind: str, complaint: Complaint, actor=None):
    """Tell the unit's officers and heads (notify.rules) of `complaint`, by id and reference
    only. A case put with the parent unit because its head is named is the parent's heads'
    too: a second event of that unit tells them, so that they open it from their own unit
    (the parent's officers do not see the case, so they are not told)."""
    subject = {"complaint": complaint.pk, "reference": complaint.reference}
    actor = getattr(actor, "pk", None)  # the anonymous reporter is no one to leave out
    emit(kind, unit=complaint.unit, subject=subject, actor=actor)
    if complaint.escalated_to_id:
        emit(kind, unit=complaint.escalated_to, subject=subject, roles={Role.HEAD}, actor=actor)


def _recuse(complaint: Complaint, recused: set):
    if not recused:
        return
    Recusal.objects.bulk_create(
        [Recusal(complaint=complaint, user=user, reason=Recusal.Reason.NAMED)
         for user in sorted(recused, key=lambda user: user.pk)]
    )


def _record_recusal(complaint: Complaint, recused: set):
    if not recused:
        return
    details = {"count": len(recused), "users": sorted(user.pk for user in recused)}
    if complaint.escalated_to_id:
        details["escalated_to"] = complaint.escalated_to.code
    record(actor=SYSTEM, action="complaint.recused", target=complaint, unit=complaint.unit,
           details=details)


# --- box openings --------------------------------------------------------------------------

@atomic_with_files()
def box_opening_record(*, unit, box, opened_at, opened_by, witness, slip_count,
                       recorded_by) -> BoxOpening:
    if witness == opened_by:
        raise ValidationError(_("The witness must be someone other than the person who "
                                "opened the box."), code="witness")
    opening = BoxOpening.objects.create(
        unit=unit, box=box, opened_at=opened_at, opened_by=opened_by, witness=witness,
        slip_count=slip_count,
        reconciled_at=timezone.now() if slip_count == 0 else None,
    )
    record(actor=recorded_by, action="box.opened", target=opening, unit=unit,
           details={"box": box, "slips": slip_count, "witness": witness.pk,
                    "opened_by": opened_by.pk})
    return opening


def _slips_logged(opening: BoxOpening) -> int:
    return opening.complaints.count() + opening.discarded.count()


def _check_room_for_slip(opening: BoxOpening):
    if opening.is_reconciled or _slips_logged(opening) >= opening.slip_count:
        raise ValidationError(
            _("All %(count)d slips of this opening are already logged.")
            % {"count": opening.slip_count}, code="full",
        )


@atomic_with_files()
def box_slip_log(*, opening: BoxOpening, kind, content: Content, logged_by,
                 scans=(), title="") -> Logged:
    """`title`, here and in the other workflows of staff who log: the case's short title
    for the queue, in the clerk's own words (intake.models.TITLE_MAX), not sealed."""
    title = checked_title(title)
    opening = BoxOpening.objects.select_for_update().get(pk=opening.pk)
    _check_room_for_slip(opening)
    return _open_complaint(
        unit=opening.unit, channel=opening.box, kind=kind, received_at=opening.opened_at,
        content=content, actor=logged_by, logged_by=logged_by, box_opening=opening,
        uploads=scans, title=title,
    )


@atomic_with_files()
def box_slip_discard(*, opening: BoxOpening, reason, logged_by) -> DiscardedSlip:
    opening = BoxOpening.objects.select_for_update().get(pk=opening.pk)
    _check_room_for_slip(opening)
    slip = DiscardedSlip.objects.create(opening=opening, reason=reason, logged_by=logged_by)
    record(actor=logged_by, action="box.slip_discarded", target=opening, unit=opening.unit,
           details={"reason": reason})
    return slip


@atomic_with_files()
def box_opening_reconcile(*, opening: BoxOpening, by) -> BoxOpening:
    opening = BoxOpening.objects.select_for_update().get(pk=opening.pk)
    logged = _slips_logged(opening)
    if logged != opening.slip_count:
        raise ValidationError(
            _("%(logged)d of %(count)d slips are logged; log or discard every slip before "
              "closing the opening.") % {"logged": logged, "count": opening.slip_count},
            code="unreconciled",
        )
    if not opening.is_reconciled:
        opening.reconciled_at = timezone.now()
        opening.save(update_fields=["reconciled_at"])
        record(actor=by, action="box.reconciled", target=opening, unit=opening.unit,
               details={"slips": logged})
    return opening


# --- phone calls and other staff-logged channels --------------------------------------------

def _receipt_if(wanted: bool) -> tuple[str, str] | None:
    """A new receipt code and its stored hash. The hash (Argon2id, tens of milliseconds) is
    made before the workflow's transaction starts, so no write lock waits on it."""
    if not wanted:
        return None
    code = new_code()
    return code, receipt_hash(code)


def _log(**fields) -> Logged:
    read = _read_first(fields["unit"], fields["kind"], fields["received_at"], fields["content"])
    return _log_atomically(read=read, **fields)


@atomic_with_files()
def _log_atomically(**fields) -> Logged:
    return _open_complaint(**fields)


def phone_call_log(*, unit, line, started_at, duration_seconds, kind, content: Content,
                   summary_confirmed, give_receipt, logged_by, title="") -> Logged:
    return _log(
        title=checked_title(title),
        unit=unit, channel=Channel.PHONE, kind=kind, received_at=started_at, content=content,
        actor=logged_by, logged_by=logged_by, receipt=_receipt_if(give_receipt),
        phone_line=line, call_duration_seconds=duration_seconds,
        summary_confirmed=summary_confirmed,
    )


def staff_channel_log(*, unit, channel, kind, received_at, content: Content, logged_by,
                      give_receipt=False, uploads=(), title="") -> Logged:
    if channel in BOX_CHANNELS or channel in (Channel.PHONE, Channel.WEB):
        raise ValueError(f"{channel} has its own workflow")
    return _log(
        title=checked_title(title),
        unit=unit, channel=channel, kind=kind, received_at=received_at, content=content,
        actor=logged_by, logged_by=logged_by, receipt=_receipt_if(give_receipt),
        uploads=uploads,
    )


# --- the anonymous web form and the reporter's thread ---------------------------------------

def web_report_submit(*, unit, kind, content: Content, submission_token: str, language,
                      uploads=(), publish_consent: bool = False) -> Logged:
    return _log(
        unit=unit, channel=Channel.WEB, kind=kind, received_at=timezone.now(),
        content=content, actor=ANONYMOUS_REPORTER, receipt=_receipt_if(True),
        submission_token=submission_token, language=language, uploads=uploads,
        publish_consent=publish_consent,
    )


@atomic_with_files()
def reporter_message_send(*, complaint: Complaint, body: str, uploads=()) -> Message:
    if complaint.status == Status.CLOSED:
        raise ValidationError(_("This case is closed; it no longer takes messages."),
                              code="closed")
    message = Message(complaint=complaint, data_key=complaint.data_key,
                      author=Message.Author.REPORTER)
    message.body = body.strip()
    message.save()
    _store_uploads(complaint, uploads, message=message, by_reporter=True)
    record(actor=ANONYMOUS_REPORTER, action="message.from_reporter", target=message,
           unit=complaint.unit, details={"complaint": complaint.reference,
                                         "attachments": len(uploads)})
    _tell(Notice.REPORTER_MESSAGE, complaint)
    return message
