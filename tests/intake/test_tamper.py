"""Tamper is an event: sealed content whose ciphertext was altered (a flipped byte in a row,
in a wrapped data key or in a file's chunk on disk) is shown as damaged, never as a 500; the
damage is recorded in the audit trail and the unit's head and auditors are told, once per
damaged record however often it is met; and nothing is recorded as read that was not shown."""

import io
import logging
import re
import secrets
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from intake.case.services import case_read, staff_reply_send
from intake.case.views import FILE_DAMAGED
from intake.damage import DAMAGED_ACTION
from intake.models import Attachment, Complaint, Kind
from intake.public import views as views_public
from intake.public.forms import ReceiptForm
from intake.services import Content, attachment_context, reporter_message_send, web_report_submit
from notify.models import Event, Notification
from tests.intake.test_web_submission import says, text_of
from tests.racing import at_once
from tests.vault.conftest import overwrite, stored
from vault.files import CHUNK_BYTES, HEADER, save_encrypted

pytestmark = pytest.mark.django_db

CANARY = "canary-5d0e"
FILE_BYTES = secrets.token_bytes(2 * CHUNK_BYTES + 100)


@pytest.fixture(autouse=True)
def _own_files_and_rate_limits(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()


@pytest.fixture
def case(units, personas):
    """A web case with a reporter's message, an officer's answer and a file of three chunks."""
    logged = web_report_submit(
        unit=units["DG"], kind=Kind.COMPLAINT, submission_token="t" * 40, language="mn",
        content=Content(body=f"{CANARY} body", subject=f"{CANARY} subject",
                        reporter={"name": f"{CANARY} name"}),
    )
    complaint = logged.complaint
    mine = reporter_message_send(complaint=complaint, body=f"{CANARY} from the reporter")
    staff_reply_send(complaint=complaint, body=f"{CANARY} answer", by=personas["officer"])
    kept = save_encrypted(io.BytesIO(FILE_BYTES), data_key=complaint.data_key,
                          context=attachment_context(complaint))
    attachment = Attachment(complaint=complaint, data_key=complaint.data_key, message=mine,
                            stored_name=kept.name, content_type="application/pdf",
                            size=kept.size, sha256=kept.sha256, uploaded_by_reporter=True)
    attachment.filename = "акт.pdf"
    attachment.save()
    return {"complaint": complaint, "receipt": logged.receipt, "message": mine,
            "attachment": attachment}


def flip_a_byte(record, column):
    """Changes one byte in the middle of a sealed column, past the ORM."""
    token = bytearray(stored(record, column))
    token[len(token) // 2] ^= 0x01
    overwrite(record, column, bytes(token))


def flip_a_byte_in_the_second_chunk(settings, attachment):
    path = Path(settings.MEDIA_ROOT) / "vault" / attachment.stored_name[:2] / attachment.stored_name
    data = bytearray(path.read_bytes())
    first_record = len(HEADER)
    second_record = first_record + 5 + int.from_bytes(data[first_record + 1:first_record + 5],
                                                      "big")
    data[second_record + 100] ^= 0x01
    path.write_bytes(bytes(data))


def track(client, receipt, prefix=""):
    """Looks the receipt up as a browser would: through the form the tracking page gives out,
    with whatever hidden fields it carries."""
    form = client.get(f"{prefix}/track/").content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    hidden.setdefault("token", ReceiptForm().initial.get("token", ""))
    return client.post(f"{prefix}/track/", {**hidden, "receipt": receipt})


def case_url(name, complaint, language="mn", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs={"unit_code": "DG", "reference": complaint.reference,
                                     **kwargs})


def damage_events():
    return list(AuditEvent.objects.filter(action=DAMAGED_ACTION).order_by("seq"))


def reads():
    return [event.details_dict["fields"]
            for event in AuditEvent.objects.filter(action="content.read").order_by("seq")]


def told():
    """Who was told of damage, one entry per notification."""
    return sorted(Notification.objects.filter(kind="content.damaged")
                  .values_list("recipient__username", flat=True))


# --- the reporter's page --------------------------------------------------------------------

@pytest.mark.parametrize(("prefix", "language"), [("", "mn"), ("/en", "en")])
def test_a_reporter_whose_message_was_altered_sees_the_rest_and_a_calm_notice(
    client, case, prefix, language
):
    flip_a_byte(case["message"], "body")
    for _visit in range(2):
        response = track(client, case["receipt"], prefix)
        assert response.status_code == 200
        assert response["Content-Language"] == language
        assert says(response, "Part of your case cannot be shown because it is damaged. The "
                              "staff responsible have been told. Your report still stands.")
        assert says(response, "This message cannot be shown.")
        page = text_of(response)
        assert f"{CANARY} answer" in page and f"{CANARY} from the reporter" not in page
    (event,) = damage_events()
    assert (event.actor_kind, event.object_type, event.object_id) == (
        "anonymous", "intake.message", str(case["message"].pk))
    assert event.details_dict == {"fields": ["body"], "complaint": case["complaint"].pk,
                                  "reference": case["complaint"].reference}
    assert Event.objects.filter(kind="content.damaged").count() == 1
    assert told() == ["auditor", "head"]


def test_a_reporter_whose_every_message_is_unreadable_is_not_recorded_as_reading_them(
    client, case
):
    data_key = case["complaint"].data_key
    flip_a_byte(data_key, "wrapped")
    response = track(client, case["receipt"])
    assert response.status_code == 200
    assert says(response, "This message cannot be shown.")
    assert reads() == []
    (event,) = damage_events()
    assert (event.object_type, event.object_id, event.details_dict["fields"]) == (
        "vault.datakey", str(data_key.pk), ["wrapped"])


# --- the staff's reading ---------------------------------------------------------------------

def test_staff_reading_a_case_with_an_altered_field_see_the_rest_and_which_part_is_damaged(
    client, case, personas, signed_in
):
    complaint = case["complaint"]
    flip_a_byte(complaint, "reporter")
    signed_in(personas["officer"])
    for _visit in range(2):
        response = client.post(case_url("intake:case_read", complaint, "en"))
        assert response.status_code == 200
        page = text_of(response)
        assert f"{CANARY} body" in page and f"{CANARY} answer" in page
        assert f"{CANARY} name" not in page
        assert "This part is damaged and cannot be shown." in page
        assert f"intake.complaint {complaint.pk}, reporter" in page
    assert reads() == [["attachment_names", "body", "messages", "subject"]] * 2
    assert track(client, case["receipt"]).status_code == 200  # the reporter never sees it
    (event,) = damage_events()
    assert (event.actor_label, event.object_type, event.details_dict["fields"]) == (
        "officer", "intake.complaint", ["reporter"])
    assert told() == ["auditor", "head"]


def test_the_reading_page_names_the_damage_in_mongolian(client, case, personas, signed_in):
    flip_a_byte(case["message"], "body")
    signed_in(personas["head"])
    response = client.post(case_url("intake:case_read", case["complaint"]))
    assert response.status_code == 200
    assert says(response, "This message is damaged and cannot be shown.")
    assert f"intake.message {case['message'].pk}, body" in text_of(response)


def test_a_damaged_data_key_is_named_once_rather_than_every_field_it_protects(
    client, case, personas, signed_in
):
    complaint = case["complaint"]
    flip_a_byte(complaint.data_key, "wrapped")
    signed_in(personas["officer"])
    response = client.post(case_url("intake:case_read", complaint, "en"))
    assert response.status_code == 200
    assert "The case&#x27;s key" in response.content.decode()
    assert reads() == []
    assert [(e.object_type, e.details_dict["fields"]) for e in damage_events()] == [
        ("vault.datakey", ["wrapped"])]


def test_a_later_damage_of_another_record_is_told_again(client, case, personas, signed_in):
    flip_a_byte(case["complaint"], "subject")
    signed_in(personas["officer"])
    client.post(case_url("intake:case_read", case["complaint"]))
    flip_a_byte(case["message"], "body")
    client.post(case_url("intake:case_read", case["complaint"]))
    track(client, case["receipt"])
    assert [e.object_type for e in damage_events()] == ["intake.complaint", "intake.message"]
    assert told() == ["auditor", "auditor", "head", "head"]


# --- the attachment ------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["mn", "en"])
def test_a_damaged_attachment_is_refused_before_its_first_byte_and_is_not_recorded_as_read(
    client, case, personas, signed_in, settings, language
):
    attachment, complaint = case["attachment"], case["complaint"]
    flip_a_byte_in_the_second_chunk(settings, attachment)
    signed_in(personas["officer"])
    for _visit in range(2):
        response = client.post(case_url("intake:case_file", complaint, language,
                                        uid=attachment.uid))
        assert response.status_code == 409
        assert not response.streaming
        assert "Content-Disposition" not in response
        with translation.override(language):
            assert str(FILE_DAMAGED) in text_of(response)
    assert reads() == []
    (event,) = damage_events()
    assert (event.object_type, event.object_id, event.details_dict["fields"]) == (
        "intake.attachment", str(attachment.pk), ["file"])
    assert track(client, case["receipt"]).status_code == 200
    assert told() == ["auditor", "head"]


def test_an_intact_attachment_is_delivered_whole_and_recorded_as_read(
    client, case, personas, signed_in
):
    signed_in(personas["officer"])
    response = client.post(case_url("intake:case_file", case["complaint"],
                                    uid=case["attachment"].uid))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FILE_BYTES
    assert reads() == [["attachment"]] and damage_events() == []


def test_a_file_whose_name_was_altered_still_downloads_under_a_neutral_name(
    client, case, personas, signed_in
):
    flip_a_byte(case["attachment"], "filename")
    signed_in(personas["officer"])
    response = client.post(case_url("intake:case_file", case["complaint"],
                                    uid=case["attachment"].uid))
    assert response.status_code == 200
    assert 'filename="attachment"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == FILE_BYTES
    assert [e.details_dict["fields"] for e in damage_events()] == [["filename"]]


# --- what the trail and the log keep ---------------------------------------------------------

def test_the_damage_is_logged_with_ids_only(client, case, caplog):
    caplog.set_level(logging.WARNING, logger="intake.damage")
    flip_a_byte(case["message"], "body")
    track(client, case["receipt"])
    (line,) = [r for r in caplog.records if r.name == "intake.damage"]
    assert (line.object_type, line.object_id, line.field, line.first_time) == (
        "intake.message", str(case["message"].pk), "body", True)
    assert case["receipt"] not in caplog.text and CANARY not in caplog.text
    for event in AuditEvent.objects.all():
        assert CANARY not in event.details and case["receipt"] not in event.details


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads race on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_readers_meeting_the_same_damage_at_once_record_and_tell_it_once(case, personas):
    # A damaged key leaves nothing to read, so no reading's hold on the audit chain puts the
    # readers in a queue: the lock taken for the damage must do it.
    flip_a_byte(case["complaint"].data_key, "wrapped")
    def read():
        complaint = Complaint.objects.select_related("unit", "data_key").get(
            pk=case["complaint"].pk)
        case_read(complaint=complaint, reader=personas["officer"])

    at_once(read, 4)
    assert reads() == [] and len(damage_events()) == 1
    assert told() == ["auditor", "head"]
