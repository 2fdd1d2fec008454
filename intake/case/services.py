"""Staff work on one case: reading it, answering the reporter, notes, amendments, the
resolution clock and closing.

Each workflow is one transaction that locks the complaint (`complaint_lock`, which routing's
workflows take too), checks its state again, makes the change and ends with its audit event.
Reading is a workflow too: decrypting complaint content is itself an audited event
(intake.reading.reading_record), written in the same transaction as the decryption, so nobody
sees content the trail does not show them reading.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.services import record
from intake.damage import FILE, ContentDamaged, Damage, Reading, damage_of
from intake.models import Attachment, Complaint, Message, Note, Status
from intake.reading import reading_record
from intake.services import EXTENSION_WORKING_DAYS, attachment_context
from intake.tallies import complaint_tallies, tallies_move
from notify.events import settle
from notify.rules import CASE_CLOSED, REPLIED_TO_REPORTER
from org.calendar import add_working_days
from vault.errors import DecryptionError
from vault.files import encrypted_download_response

# The sealed parts of a complaint an amendment may correct.
AMENDABLE_FIELDS = ("body", "subject", "particulars", "reporter", "channel_details")


def _refuse_if_recused(complaint: Complaint, user):
    """The views never find a case for someone recused from it (Complaint.objects.for_staff);
    this is the same rule again where the content is touched, for any other caller."""
    if complaint.recusals.filter(user=user).exists():
        raise PermissionDenied("recused from this complaint")


def complaint_lock(*, complaint: Complaint, by) -> Complaint:
    """The complaint as it is now, locked until the transaction ends, so two people acting
    on one case at once act one after the other, each on the state the other left. Refuses
    anyone recused from it. Call it inside a transaction, before anything else is locked:
    every workflow that changes a case, intake's and routing's, takes this lock first."""
    _refuse_if_recused(complaint, by)
    # FOR NO KEY UPDATE: still one writer at a time, but it does not block the foreign-key
    # checks of other transactions (a reporter's message) that may hold the audit chain's
    # head while this one waits for it, which would deadlock.
    locked = Complaint.objects.select_for_update(no_key=True).get(pk=complaint.pk)
    locked.unit = complaint.unit  # already loaded by the caller; the row lock is what counts
    return locked


def _plain(text: str, *, empty_message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty_message, code="empty")
    return text


def _refuse_if_closed(complaint: Complaint, message: str | None = None):
    if complaint.status == Status.CLOSED:
        raise ValidationError(message or _("This case is closed."), code="closed")


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localdate(moment), "SHORT_DATE_FORMAT")


def _staff_message(complaint: Complaint, body: str, by) -> Message:
    message = Message(complaint=complaint, data_key=complaint.data_key,
                      author=Message.Author.STAFF, sent_by=by)
    message.body = body
    message.save()
    return message


# --- state changes ---------------------------------------------------------------------------

@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, by) -> Complaint:
    """Tell the reporter the complaint was received and is being looked at: the reporter
    sees the acknowledgement with their receipt. A new complaint becomes acknowledged."""
    complaint = complaint_lock(complaint=complaint, by=by)
    _refuse_if_closed(complaint)
    if complaint.acknowledged_at is not None:
        raise ValidationError(
            _("This complaint was already acknowledged on %(date)s.")
            % {"date": _day(complaint.acknowledged_at)}, code="acknowledged",
        )
    now = timezone.now()
    previous, counted = complaint.status, complaint_tallies(complaint)
    complaint.acknowledged_at = now
    if complaint.status == Status.NEW:
        complaint.status = Status.ACKNOWLEDGED
    complaint.save(update_fields=["acknowledged_at", "status"])
    tallies_move(before=counted, after=complaint_tallies(complaint))
    record(actor=by, action="complaint.acknowledged", target=complaint, unit=complaint.unit,
           details={"reference": complaint.reference, "from": previous,
                    "to": complaint.status,
                    "late": timezone.localdate(now) > complaint.acknowledge_due})
    return complaint


@transaction.atomic
def staff_reply_send(*, complaint: Complaint, body: str, by) -> Message:
    """A message from the officer in the reporter's thread; an anonymous reporter reads it
    on the tracking page with their receipt."""
    complaint = complaint_lock(complaint=complaint, by=by)
    _refuse_if_closed(complaint, _("This case is closed; it no longer takes messages."))
    message = _staff_message(complaint, _plain(body, empty_message=_("Write the reply.")), by)
    record(actor=by, action="message.from_staff", target=message, unit=complaint.unit,
           details={"complaint": complaint.reference})
    settle(REPLIED_TO_REPORTER, unit=complaint.unit, subject={"complaint": complaint.pk})
    return message


@transaction.atomic
def case_note_add(*, complaint: Complaint, body: str, by) -> Note:
    """A working note for the staff handling the case; the reporter never sees it."""
    complaint = complaint_lock(complaint=complaint, by=by)
    note = Note(complaint=complaint, data_key=complaint.data_key, kind=Note.Kind.NOTE,
                written_by=by)
    note.body = _plain(body, empty_message=_("Write the note."))
    note.save()
    record(actor=by, action="note.added", target=note, unit=complaint.unit,
           details={"complaint": complaint.reference})
    return note


@transaction.atomic
def case_amendment_add(*, complaint: Complaint, field_name: str, body: str, by) -> Note:
    """A correction of one sealed part of the record. What was received is never edited:
    the correction is kept beside it, with who made it and when."""
    if field_name not in AMENDABLE_FIELDS:
        raise ValueError(f"{field_name!r} cannot be amended")
    complaint = complaint_lock(complaint=complaint, by=by)
    note = Note(complaint=complaint, data_key=complaint.data_key, kind=Note.Kind.AMENDMENT,
                amends_field=field_name, written_by=by)
    note.body = _plain(body, empty_message=_("Write the corrected text."))
    note.save()
    record(actor=by, action="complaint.amended", target=complaint, unit=complaint.unit,
           details={"reference": complaint.reference, "field": field_name,
                    "amendment": str(note.uid)})
    return note


@transaction.atomic
def resolve_due_extend(*, complaint: Complaint, reason: str, by) -> Complaint:
    """Move the resolution deadline on by EXTENSION_WORKING_DAYS working days, once. The law
    asks for notice to the reporter: the reason is sent to them as a message in the thread."""
    complaint = complaint_lock(complaint=complaint, by=by)
    _refuse_if_closed(complaint)
    if complaint.is_extended:
        raise ValidationError(
            _("The resolution deadline was already extended on %(date)s; it can be extended "
              "only once.") % {"date": _day(complaint.extended_at)}, code="extended",
        )
    notice = _staff_message(
        complaint, _plain(reason, empty_message=_("Give the reason for the extension.")), by
    )
    previous, counted = complaint.resolve_due, complaint_tallies(complaint)
    complaint.resolve_due = add_working_days(previous, EXTENSION_WORKING_DAYS, complaint.unit)
    complaint.extended_at = timezone.now()
    complaint.save(update_fields=["resolve_due", "extended_at"])
    tallies_move(before=counted, after=complaint_tallies(complaint))
    record(actor=by, action="complaint.extended", target=complaint, unit=complaint.unit,
           details={"reference": complaint.reference, "from": previous.isoformat(),
                    "to": complaint.resolve_due.isoformat(),
                    "working_days": EXTENSION_WORKING_DAYS, "notice": str(notice.uid)})
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, reason: str, by) -> Complaint:
    """Close the case. The reason is the reporter's feedback: it is sent to them as the last
    message of the thread, which takes no messages afterwards."""
    complaint = complaint_lock(complaint=complaint, by=by)
    _refuse_if_closed(complaint, _("This case is already closed."))
    feedback = _staff_message(
        complaint, _plain(reason, empty_message=_("Give the reason for closing the case.")), by
    )
    now = timezone.now()
    previous, counted = complaint.status, complaint_tallies(complaint)
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.save(update_fields=["status", "closed_at"])
    tallies_move(before=counted, after=complaint_tallies(complaint))
    record(actor=by, action="complaint.closed", target=complaint, unit=complaint.unit,
           details={"reference": complaint.reference, "from": previous,
                    "late": timezone.localdate(now) > complaint.resolve_due,
                    "feedback": str(feedback.uid)})
    settle(CASE_CLOSED, unit=complaint.unit, subject={"complaint": complaint.pk})
    return complaint


# --- reading -----------------------------------------------------------------------------------

# A damaged entry (intake.damage) has None for its text and `damaged` set.
@dataclass(frozen=True)
class ThreadEntry:
    author: str  # Message.Author
    sent_by: object  # the staff user, or None for the reporter
    at: datetime
    body: str | None
    files: int
    damaged: bool = False


@dataclass(frozen=True)
class NoteEntry:
    kind: str  # Note.Kind
    amends_field: str
    written_by: object
    at: datetime
    body: str | None
    damaged: bool = False


@dataclass(frozen=True)
class FileEntry:
    uid: object
    filename: str | None
    content_type: str
    size: int
    at: datetime
    by_reporter: bool
    damaged: bool = False  # its name; the file itself is checked when it is downloaded


# The complaint's own sealed parts, in the order a reading shows them.
SEALED_PARTS = ("body", "subject", "particulars", "reporter", "channel_details")


@dataclass
class CaseContent:
    """Everything sealed in a case, decrypted for one reading. Plain values only: the
    templates that show it cannot decrypt anything themselves. A damaged part is None and
    named in `damaged_parts`; `damaged` lists every damaged record and field."""

    body: str | None
    subject: str | None
    particulars: dict | None
    reporter: dict | None
    channel_details: dict | None
    thread: list[ThreadEntry] = field(default_factory=list)
    notes: list[NoteEntry] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    fields_read: list[str] = field(default_factory=list)
    damaged_parts: list[str] = field(default_factory=list)
    damaged: list[Damage] = field(default_factory=list)


def _damage_subject(complaint: Complaint) -> dict:
    return {"complaint": complaint.pk, "reference": complaint.reference}


@transaction.atomic
def case_read(*, complaint: Complaint, reader) -> CaseContent:
    """Decrypt the whole case for `reader` and record one reading that names every part
    that was shown. A damaged part is left out and recorded as damaged (intake.damage) in the
    same transaction; the rest is shown. Raises a VaultError (nothing recorded) when the
    content is gone: shredded, or its key missing from the keyring."""
    _refuse_if_recused(complaint, reader)
    messages = list(complaint.messages.select_related("data_key", "sent_by")
                    .prefetch_related("attachments"))
    notes = list(complaint.notes.select_related("data_key", "written_by"))
    attachments = list(complaint.attachments.select_related("data_key")
                       .order_by("created_at", "pk"))
    reading = Reading()
    parts = {name: reading.reveal(complaint, name) for name in SEALED_PARTS}
    content = CaseContent(
        **parts,
        thread=[ThreadEntry(author=m.author, sent_by=m.sent_by, at=m.created_at,
                            body=reading.reveal(m, "body"), files=len(m.attachments.all()),
                            damaged=reading.is_damaged(m, "body"))
                for m in messages],
        notes=[NoteEntry(kind=n.kind, amends_field=n.amends_field, written_by=n.written_by,
                         at=n.created_at, body=reading.reveal(n, "body"),
                         damaged=reading.is_damaged(n, "body")) for n in notes],
        files=[FileEntry(uid=a.uid, filename=reading.reveal(a, "filename"),
                         content_type=a.content_type, size=a.size, at=a.created_at,
                         by_reporter=a.uploaded_by_reporter,
                         damaged=reading.is_damaged(a, "filename"))
               for a in attachments],
        damaged_parts=[name for name in SEALED_PARTS if getattr(complaint, name) is not None
                       and reading.is_damaged(complaint, name)],
        damaged=reading.damaged,
    )
    read = [name for name, value in parts.items() if value is not None]
    read += [name for name, entries in (("messages", content.thread), ("notes", content.notes),
                                        ("attachment_names", content.files))
             if not all(entry.damaged for entry in entries)]
    content.fields_read = read
    reading_record(reader=reader, unit=complaint.unit, subject=_damage_subject(complaint),
                   damaged=reading.damaged, shown=[(complaint, read)])
    return content


def attachment_download(*, attachment: Attachment, complaint: Complaint,
                        reader) -> StreamingHttpResponse:
    """The decrypted file as a download, with the reading recorded. The whole file is
    authenticated before the event is written (vault.files.open_verified), so only a file
    that will be delivered whole is recorded as read. A damaged file is recorded as damaged
    instead (intake.damage) and ContentDamaged is raised once that has committed; any other
    VaultError (shredded, a key missing) records nothing and reaches the caller."""
    _refuse_if_recused(complaint, reader)
    reading = Reading()
    # A damaged name does not keep an intact file back: it is sent under a neutral name.
    filename = reading.reveal(attachment, "filename") or ""
    try:
        response = encrypted_download_response(
            attachment.stored_name, data_key=attachment.data_key,
            context=attachment_context(complaint), filename=filename,
            content_type=attachment.content_type, size=attachment.size,
        )
    except DecryptionError:
        response = None
        reading.note(damage_of(attachment, FILE))
    try:
        reading_record(reader=reader, unit=complaint.unit, subject=_damage_subject(complaint),
                       damaged=reading.damaged,
                       shown=[(attachment, ["attachment"])] if response is not None else [])
    except BaseException:
        if response is not None:
            response.close()
        raise
    if response is None:
        raise ContentDamaged(f"attachment {attachment.pk} of complaint {complaint.pk}")
    return response
