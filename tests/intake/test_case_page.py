"""A case from the staff's side: who may open it, reading it as an audited event, and every
action on it from the form to the audit trail and, where it concerns them, to the reporter."""

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from intake.case.services import case_amendment_add, case_note_add, staff_reply_send
from intake.models import Channel, Complaint, Kind, Message, Note, Status
from intake.public.forms import LOOKUP_TOKEN_SALT, new_form_token
from intake.services import Content, reporter_message_send, web_report_submit
from org.calendar import add_working_days
from tests.intake.pages_case import (
    CASE,
    FILE_BYTES,
    FILE_UID,
    PAGES,
    POST_DATA,
    keyring_gone,
    make_case,
    method_of,
)
from tests.org.test_access import PERSONAS, expected_status

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("own_files_and_rate_limits", "on_a_friday_in_march_2026")]

CANARY = "canary-7be1"
# Actions answer with a redirect back to the case; reading and downloading answer at once.
REDIRECTING = {"intake:case_worklist", "intake:case_acknowledge", "intake:case_reply",
               "intake:case_note", "intake:case_amend", "intake:case_extend",
               "intake:case_close"}
# The case here is the unit's only one: naming another to link (or unlinking a case in no
# matter) is refused with a reason, 409 (tests/intake/test_matters.py links for real).
WITHOUT_ANOTHER_CASE = {"intake:case_matter_link", "intake:case_matter_dismiss",
                        "intake:case_matter_unlink"}


@pytest.fixture
def complaint(units, personas):
    return make_case(units, personas)


@pytest.fixture
def officer(client, personas, signed_in):
    signed_in(personas["officer"])
    return personas["officer"]


def url(name, *, language="mn", **kwargs):
    """The URL of a case page; Mongolian at /…, English at /en/…."""
    with translation.override(language):
        return reverse(name, kwargs={**CASE, **kwargs})


def en_url(name, **kwargs):
    return url(name, language="en", **kwargs)


def events(action=None):
    found = AuditEvent.objects.order_by("seq")
    return list(found.filter(action=action) if action else found)


def web_case(units, **content):
    """A case reported on the web, with its receipt."""
    logged = web_report_submit(unit=units["DG"], kind=Kind.COMPLAINT,
                               content=Content(**{"body": "Вэбээр ирсэн", **content}),
                               submission_token="w" * 40, language="mn")
    return logged.complaint, logged.receipt


def track(client, receipt):
    client.logout()
    return client.post(reverse("intake:track"), {"receipt": receipt,
                                                 "token": new_form_token(LOOKUP_TOKEN_SALT)})


# --- who may do what --------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_case_urls_refuse_the_wrong_role_and_the_wrong_unit(
    client, personas, signed_in, complaint, persona, page
):
    name, kwargs, allowed = page[:3]
    signed_in(personas[persona])
    before = (AuditEvent.objects.count(), Message.objects.count(), Note.objects.count())
    if method_of(page) == "post":
        data = {} if name in WITHOUT_ANOTHER_CASE else POST_DATA.get(name, {})
        response = client.post(reverse(name, kwargs=kwargs), data)
    else:
        response = client.get(reverse(name, kwargs=kwargs))
    expected = expected_status(persona, allowed)
    if expected == {200} and name in REDIRECTING:
        expected = {302}
    if expected == {200} and name in WITHOUT_ANOTHER_CASE:
        expected = {409}
    assert response.status_code in expected, (persona, name)
    if persona not in allowed:
        after = (AuditEvent.objects.count(), Message.objects.count(), Note.objects.count())
        assert after == before, "a refused request changed something"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_case_urls_send_anonymous_visitors_to_sign_in(client, complaint, page):
    name, kwargs = page[:2]
    send = client.post if method_of(page) == "post" else client.get
    response = send(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_case_urls_require_the_second_factor(client, personas, complaint, page):
    name, kwargs = page[:2]
    client.force_login(personas["officer"])  # password only, no verified device
    send = client.post if method_of(page) == "post" else client.get
    response = send(reverse(name, kwargs=kwargs), POST_DATA.get(name, {}))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:two_factor_setup")
    assert not events("content.read")


@pytest.mark.parametrize("page", [p for p in PAGES if method_of(p) == "post"],
                         ids=lambda page: page[0])
def test_post_only_case_urls_refuse_a_get(client, officer, complaint, page):
    name, kwargs = page[:2]
    before = len(events())
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 405
    assert len(events()) == before


def test_a_case_is_not_found_through_another_units_urls(client, personas, signed_in,
                                                        complaint):
    signed_in(personas["outsider"])  # an officer of DU
    other = {"unit_code": "DU"}
    assert client.get(url("intake:case", **other)).status_code == 404
    assert client.post(url("intake:case_read", **other)).status_code == 404
    assert client.post(url("intake:case_file", uid=FILE_UID, **other)).status_code == 404
    assert client.post(url("intake:case_reply", **other),
                       POST_DATA["intake:case_reply"]).status_code == 404
    assert not events("content.read") and not Message.objects.exists()


def test_an_unknown_reference_or_file_is_not_found(client, officer, complaint):
    assert client.get(url("intake:case", reference="DG-2026-09999")).status_code == 404
    other_file = "00000000-0000-4000-8000-000000000000"
    assert client.post(url("intake:case_file", uid=other_file)).status_code == 404


# --- the case page and reading ------------------------------------------------------------

def test_the_case_page_decrypts_nothing_and_writes_no_audit_event(
    client, officer, rich_case, settings, tmp_path
):
    complaint, _receipt = rich_case
    before = len(events())
    # A page that decrypted anything, or wrote an audit event, would fail without keys.
    with keyring_gone(settings, tmp_path):
        response = client.get(url("intake:case", reference=complaint.reference))
    assert response.status_code == 200
    assert len(events()) == before


@pytest.fixture
def rich_case(units, personas):
    """A web case with every sealed part, a thread both ways, a note and an amendment, all
    carrying the canary."""
    complaint, receipt = web_case(
        units, body=f"<b>{CANARY}</b> body", subject=f"{CANARY} subject",
        particulars={"where": f"{CANARY} where", "when": "өчигдөр"},
        reporter={"name": f"{CANARY} name", "phone": "+97699112233"},
    )
    reporter_message_send(complaint=complaint, body=f"{CANARY} from the reporter")
    officer = personas["officer"]
    staff_reply_send(complaint=complaint, body=f"{CANARY} reply", by=officer)
    case_note_add(complaint=complaint, body=f"{CANARY} note", by=officer)
    case_amendment_add(complaint=complaint, field_name="subject",
                       body=f"{CANARY} corrected", by=officer)
    return complaint, receipt


def test_the_case_page_shows_metadata_counts_and_dates_only(client, officer, rich_case):
    complaint, _receipt = rich_case
    before = len(events())
    response = client.get(url("intake:case", reference=complaint.reference))
    page = response.content.decode()
    assert response.status_code == 200
    assert complaint.reference in page
    assert len(response.context["thread"]) == 2 and len(response.context["notes"]) == 2
    assert CANARY not in page and "99112233" not in page and "9911 2233" not in page
    assert len(events()) == before


def test_reading_the_case_shows_everything_and_records_one_reading_naming_the_fields(
    client, officer, rich_case
):
    complaint, _receipt = rich_case
    before = len(events())
    response = client.post(url("intake:case_read", reference=complaint.reference))
    page = response.content.decode()
    assert response.status_code == 200
    for part in ("body", "subject", "where", "name", "from the reporter", "reply", "note",
                 "corrected"):
        assert f"{CANARY} {part}" in page or f"{CANARY}&lt;/b&gt; {part}" in page, part
    assert "9911 2233" in page  # the number as staff read it back, not in E.164
    new = events()[before:]
    assert [event.action for event in new] == ["content.read"]
    read = new[0]
    assert read.actor_label == "officer"
    assert (read.object_type, read.object_id) == ("intake.complaint", str(complaint.pk))
    assert read.details_dict == {"fields": ["body", "messages", "notes", "particulars",
                                            "reporter", "subject"]}


def test_reading_names_the_attachments_when_there_are_files(client, officer, complaint):
    response = client.post(url("intake:case_read"))
    assert "slip.pdf" in response.content.decode()
    assert events("content.read")[-1].details_dict == {"fields": ["attachment_names", "body"]}


def test_html_in_content_is_shown_escaped(client, officer, rich_case):
    complaint, _receipt = rich_case
    page = client.post(url("intake:case_read", reference=complaint.reference)).content.decode()
    assert f"&lt;b&gt;{CANARY}&lt;/b&gt;" in page
    assert f"<b>{CANARY}" not in page


def test_the_canary_never_reaches_the_case_page_the_queue_or_the_audit_trail(
    client, officer, rich_case
):
    complaint, _receipt = rich_case
    client.post(url("intake:case_read", reference=complaint.reference))  # itself audited
    pages = [
        client.get(url("intake:case", reference=complaint.reference)),
        client.get(reverse("intake:queue", kwargs={"unit_code": "DG"})),
    ]
    for response in pages:
        assert response.status_code == 200
        assert CANARY not in response.content.decode()
    for event in events():
        assert CANARY not in str(event.details) and CANARY not in event.object_id


def test_a_shredded_case_cannot_be_read_and_records_no_reading(client, officer, complaint):
    complaint.shred()
    assert client.get(url("intake:case")).status_code == 200
    response = client.post(url("intake:case_read"), follow=True)
    assert response.redirect_chain[-1][0] == url("intake:case")
    assert not events("content.read")


# --- actions, end to end ------------------------------------------------------------------

def test_acknowledging_records_the_time_and_moves_a_new_complaint_on(client, officer,
                                                                    complaint):
    response = client.post(url("intake:case_acknowledge"))
    assert response.status_code == 302 and response["Location"] == url("intake:case")
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED and complaint.acknowledged_at is not None
    event = events("complaint.acknowledged")[0]
    assert event.details_dict["from"] == "new" and event.details_dict["to"] == "acknowledged"


def test_a_complaint_is_acknowledged_only_once(client, officer, complaint):
    client.post(url("intake:case_acknowledge"))
    response = client.post(en_url("intake:case_acknowledge"))
    assert response.status_code == 409
    assert "already acknowledged" in response.content.decode()
    assert len(events("complaint.acknowledged")) == 1


def test_the_reporter_sees_the_acknowledgement_on_the_tracking_page(client, officer, units):
    complaint, receipt = web_case(units)
    client.post(url("intake:case_acknowledge", reference=complaint.reference))
    with translation.override("en"):
        page = track(client, receipt).content.decode()
    assert "(acknowledged)" in page


def test_a_staff_reply_is_sealed_audited_and_read_by_the_reporter_with_the_receipt(
    client, officer, units
):
    complaint, receipt = web_case(units)
    response = client.post(url("intake:case_reply", reference=complaint.reference),
                           {"reply-body": "Та ирж уулзана уу? <i>reply-5531</i>"})
    assert response.status_code == 302
    message = Message.objects.get(complaint=complaint)
    assert message.author == Message.Author.STAFF and message.sent_by == officer
    stored = Message.objects.values_list("body", flat=True).get(pk=message.pk)
    assert b"reply-5531" not in bytes(stored)
    event = events("message.from_staff")[0]
    assert event.object_id == str(message.pk) and "reply-5531" not in event.details
    page = track(client, receipt).content.decode()
    assert "Та ирж уулзана уу? &lt;i&gt;reply-5531&lt;/i&gt;" in page


def test_an_internal_note_is_kept_for_staff_and_never_shown_to_the_reporter(
    client, officer, units
):
    complaint, receipt = web_case(units)
    client.post(url("intake:case_note", reference=complaint.reference),
                {"note-body": "note-9090 дотоод"})
    note = Note.objects.get(complaint=complaint)
    assert note.kind == Note.Kind.NOTE and note.body.reveal() == "note-9090 дотоод"
    assert events("note.added")[0].object_id == str(note.pk)
    assert "note-9090" not in track(client, receipt).content.decode()


def test_an_amendment_keeps_the_original_and_shows_the_correction_beside_it(
    client, officer, complaint
):
    response = client.post(url("intake:case_amend"),
                           {"amend-amends_field": "body", "amend-body": "amended-3141"})
    assert response.status_code == 302
    note = Note.objects.get(complaint=complaint)
    assert (note.kind, note.amends_field) == (Note.Kind.AMENDMENT, "body")
    assert Complaint.objects.get(pk=complaint.pk).body.reveal().startswith("Бичиг хэргийн")
    event = events("complaint.amended")[0]
    assert event.details_dict["field"] == "body" and "amended-3141" not in event.details
    page = client.post(url("intake:case_read")).content.decode()
    assert "Бичиг хэргийн ажилтан" in page and "amended-3141" in page


def test_an_amendment_must_name_a_part_of_the_record(client, officer, complaint):
    response = client.post(url("intake:case_amend"),
                           {"amend-amends_field": "receipt_hash", "amend-body": "x"})
    assert response.status_code == 400
    assert not Note.objects.exists() and not events("complaint.amended")


def test_the_resolution_deadline_is_extended_once_by_thirty_working_days_with_notice(
    client, officer, units
):
    complaint, receipt = web_case(units)
    due = complaint.resolve_due
    response = client.post(url("intake:case_extend", reference=complaint.reference),
                           {"extend-reason": "notice-2718: шинжээчийн дүгнэлт хүлээж байна"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.resolve_due == add_working_days(due, 30, units["DG"])
    assert complaint.extended_at is not None
    event = events("complaint.extended")[0]
    assert event.details_dict["from"] == due.isoformat()
    assert event.details_dict["to"] == complaint.resolve_due.isoformat()
    assert "notice-2718" in track(client, receipt).content.decode()


def test_a_second_extension_is_refused_with_a_clear_message(client, officer, complaint):
    client.post(url("intake:case_extend"), {"extend-reason": "эхний"})
    complaint.refresh_from_db()
    due = complaint.resolve_due
    response = client.post(en_url("intake:case_extend"), {"extend-reason": "дахин"})
    assert response.status_code == 409
    assert "can be extended only once" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.resolve_due == due and len(events("complaint.extended")) == 1
    assert Message.objects.filter(complaint=complaint).count() == 1


def test_closing_records_the_reason_for_the_reporter_and_ends_the_thread(
    client, officer, units
):
    complaint, receipt = web_case(units)
    response = client.post(url("intake:case_close", reference=complaint.reference),
                           {"close-reason": "closed-1618: шалгаад зөрчил илрээгүй"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.closed_at is not None
    assert events("complaint.closed")[0].details_dict["from"] == "new"
    page = track(client, receipt).content.decode()
    assert "closed-1618" in page


def test_a_closed_case_takes_no_reply_extension_acknowledgement_or_second_closing(
    client, personas, signed_in, complaint
):
    signed_in(personas["head"])
    client.post(url("intake:case_close"), {"close-reason": "Шийдвэрлэсэн"})
    before = (len(events()), Message.objects.count())
    for name in ("intake:case_reply", "intake:case_extend", "intake:case_acknowledge",
                 "intake:case_close"):
        data = POST_DATA.get(name, {})
        assert client.post(url(name), data).status_code == 409, name
    assert (len(events()), Message.objects.count()) == before


def test_downloading_a_file_streams_it_as_an_attachment_and_records_the_reading(
    client, officer, complaint
):
    response = client.post(url("intake:case_file", uid=FILE_UID))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FILE_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert "slip.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    read = events("content.read")[-1]
    assert (read.object_type, read.details_dict) == ("intake.attachment", {"fields":
                                                                            ["attachment"]})


# --- bad input saves nothing --------------------------------------------------------------

BAD_TEXT = {
    "empty": (lambda limit: "   \n ", None),  # each form says what is missing
    "too-long": (lambda limit: "x" * (limit + 1), "Keep it under"),
    "control-character": (lambda limit: "hello\x00world", "cannot be read"),
}
TEXT_FIELDS = [
    ("intake:case_reply", "reply-body", {}, 10_000, "Write the reply."),
    ("intake:case_note", "note-body", {}, 10_000, "Write the note."),
    ("intake:case_amend", "amend-body", {"amend-amends_field": "body"}, 10_000,
     "Write the corrected text."),
    ("intake:case_extend", "extend-reason", {}, 2_000, "Give the reason for the extension."),
    ("intake:case_close", "close-reason", {}, 2_000, "Give the reason for closing the case."),
]


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize(("name", "field", "other", "limit", "missing"), TEXT_FIELDS,
                         ids=[entry[0] for entry in TEXT_FIELDS])
def test_bad_text_is_refused_with_a_message_and_saves_nothing(
    client, officer, complaint, name, field, other, limit, missing, bad
):
    make_text, message = BAD_TEXT[bad]
    message = message or missing
    before = (len(events()), Message.objects.count(), Note.objects.count())
    response = client.post(en_url(name), {field: make_text(limit), **other})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (len(events()), Message.objects.count(), Note.objects.count()) == before
    complaint.refresh_from_db()
    assert complaint.status == Status.NEW and complaint.extended_at is None


def test_the_queue_and_case_pages_are_translated(client, officer, complaint):
    mn = client.get(url("intake:case")).content.decode()
    en = client.get(en_url("intake:case")).content.decode()
    assert 'lang="mn"' in mn and 'lang="en"' in en
    with translation.override("mn"):
        letter_mn = str(Channel.LETTER.label)
    with translation.override("en"):
        letter_en = str(Channel.LETTER.label)
    assert letter_mn != letter_en
    assert letter_mn in mn and letter_en in en
