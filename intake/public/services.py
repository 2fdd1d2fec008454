"""What the citizen's pages do beyond coming in (intake.services): reading the reporter's
thread back to them, which is an audited reading like any other."""

from django.db import transaction

from audit.services import ANONYMOUS_REPORTER
from intake.damage import Reading
from intake.models import Complaint
from intake.reading import reading_record


@transaction.atomic  # the reading and its record, together or not at all
def reporter_thread_read(*, complaint: Complaint) -> tuple[list[dict], bool]:
    """The reporter's thread, read and recorded; and whether part of it is damaged. A damaged
    message is shown as such, never as an error page: it is recorded (intake.damage) in the
    same transaction as the reading of the rest, and only what was shown counts as read (an
    empty thread is a reading too)."""
    messages = list(complaint.messages.select_related("data_key").prefetch_related("attachments"))
    reading = Reading()
    thread = [{"author": m.get_author_display(), "mine": m.author == m.Author.REPORTER,
               "at": m.created_at, "body": reading.reveal(m, "body"),
               "damaged": reading.is_damaged(m, "body"),
               "files": len(m.attachments.all())} for m in messages]
    shown = not messages or not all(entry["damaged"] for entry in thread)
    reading_record(reader=ANONYMOUS_REPORTER, unit=complaint.unit,
                   subject={"complaint": complaint.pk, "reference": complaint.reference},
                   damaged=reading.damaged, shown=[(complaint, ["messages"])] if shown else [])
    return thread, bool(reading.damaged)
