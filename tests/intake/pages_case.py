"""The staff's queue and case URLs and who may use them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed), with the
method appended for POST-only URLs. `make_case` creates what the arguments point at."""

import io
import uuid
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from intake.models import Attachment, Channel, Kind
from intake.services import Content, attachment_context, staff_channel_log
from vault.files import save_encrypted
from vault.keyring import reload_keyring

UB = ZoneInfo("Asia/Ulaanbaatar")
# Every test of these pages runs at this moment (time-machine), so the first case of 2026
# in DG gets this reference.
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UB)
RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=UB)
REFERENCE = "DG-2026-00001"
FILE_UID = uuid.UUID("6f1c2f0e-3a57-4c1e-9d1a-2b7e5b0c9a11")
FILE_BYTES = b"%PDF-1.7 scanned slip"

HANDLERS = {"officer", "head"}
# The case's short title is the clerk's to write too (from the page of what they logged).
TITLERS = {"clerk", "officer", "head"}
CASE = {"unit_code": "DG", "reference": REFERENCE}

PAGES = [
    ("intake:queue", {"unit_code": "DG"}, HANDLERS),
    ("intake:case", CASE, HANDLERS),
    ("intake:case_read", CASE, HANDLERS, "post"),
    ("intake:case_worklist", CASE, TITLERS, "post"),
    ("intake:case_acknowledge", CASE, HANDLERS, "post"),
    ("intake:case_reply", CASE, HANDLERS, "post"),
    ("intake:case_note", CASE, HANDLERS, "post"),
    ("intake:case_amend", CASE, HANDLERS, "post"),
    ("intake:case_extend", CASE, HANDLERS, "post"),
    ("intake:case_close", CASE, HANDLERS, "post"),
    ("intake:case_file", {**CASE, "uid": FILE_UID}, HANDLERS, "post"),
    ("intake:case_matter_link", CASE, HANDLERS, "post"),
    ("intake:case_matter_dismiss", CASE, HANDLERS, "post"),
    ("intake:case_matter_unlink", CASE, HANDLERS, "post"),
]

# A valid body for each POST-only URL, so that an allowed person gets through.
POST_DATA = {
    # A title, and nobody assigned (a clerk's form has no officer field).
    "intake:case_worklist": {"worklist-title": "Төлбөр нэхсэн", "worklist-officer": ""},
    "intake:case_reply": {"reply-body": "Бид шалгаж байна."},
    "intake:case_note": {"note-body": "Дотоод тэмдэглэл."},
    "intake:case_amend": {"amend-amends_field": "subject", "amend-body": "Засвар."},
    "intake:case_extend": {"extend-reason": "Нэмэлт шалгалт хийнэ."},
    "intake:case_close": {"close-reason": "Шийдвэрлэсэн."},
    # The security world's second DG case (a letter); where it does not exist, 404.
    "intake:case_matter_link": {"matter-other": "DG-2026-00002"},
    "intake:case_matter_dismiss": {"matter-other": "DG-2026-00002"},
}


def method_of(page) -> str:
    return page[3] if len(page) > 3 else "get"


def make_case(units, personas, *, body="Бичиг хэргийн ажилтан мөнгө нэхсэн."):
    """The DG case the table points at: a letter logged by the clerk, with one file."""
    complaint = staff_channel_log(
        unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT, received_at=RECEIVED,
        content=Content(body=body), logged_by=personas["clerk"],
    ).complaint
    assert complaint.reference == REFERENCE
    # Made by hand rather than through an upload so that its uid is known in advance.
    stored = save_encrypted(io.BytesIO(FILE_BYTES), data_key=complaint.data_key,
                            context=attachment_context(complaint))
    attachment = Attachment(uid=FILE_UID, complaint=complaint, data_key=complaint.data_key,
                            stored_name=stored.name, content_type="application/pdf",
                            size=stored.size, sha256=stored.sha256)
    attachment.filename = "slip.pdf"
    attachment.save()
    return complaint


@contextmanager
def keyring_gone(settings, tmp_path):
    """No keyring file: anything that decrypts, or writes an audit event, fails loudly."""
    original = settings.KEYRING_PATH
    settings.KEYRING_PATH = tmp_path / "no-keyring.json"
    reload_keyring()
    try:
        yield
    finally:
        settings.KEYRING_PATH = original
        reload_keyring()
