"""Walk-ins, notebook entries, letters, emails and social media messages, logged by staff;
and who may open every page of the channels logged by hand."""

import re
import secrets
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from intake.models import Complaint, Kind
from intake.receipts import receipt_candidates
from org.models import Role
from tests.intake.pages_channels import (
    PAGES,
    counts,
    error_codes,
    local_input,
    make_records,
    page_url,
    url,
)
from tests.intake.pdf_samples import small_pdf
from tests.intake.test_uploads import png_claiming
from tests.org.test_access import PERSONAS, expected_status
from vault.files import open_encrypted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Encrypted files written here stay out of other tests' way."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def records(personas, units):
    return make_records(personas, units)


# --- who may open what ------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES)
def test_channel_pages_refuse_the_wrong_role_and_the_wrong_unit(
    client, personas, records, signed_in, persona, name, kwargs, allowed
):
    signed_in(personas[persona])
    response = client.get(page_url(name, kwargs, records))
    assert response.status_code in expected_status(persona, allowed), (persona, name)


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES)
def test_channel_pages_send_anonymous_visitors_to_sign_in(client, records, name, kwargs,
                                                          allowed):
    response = client.get(page_url(name, kwargs, records))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES)
def test_channel_pages_require_the_second_factor(client, personas, records, name, kwargs,
                                                 allowed):
    client.force_login(personas["clerk"])  # password only, no verified device
    response = client.get(page_url(name, kwargs, records))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:two_factor_setup")


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES)
def test_the_wrong_role_cannot_post_either(client, personas, records, signed_in, name, kwargs,
                                           allowed):
    refused = sorted({"clerk", "officer", "head", "auditor", "admin"} - allowed)
    before = counts()
    for persona in refused:
        client.logout()
        signed_in(personas[persona])
        response = client.post(page_url(name, kwargs, records), {"body": "x", "reason": "blank"})
        assert response.status_code == 403, (persona, name)
    client.logout()
    signed_in(personas["outsider"])
    assert client.post(page_url(name, kwargs, records), {}).status_code == 404
    assert counts() == before


def test_every_channel_page_is_in_the_access_table():
    from intake.channels.urls import urlpatterns

    assert {f"intake:{pattern.name}" for pattern in urlpatterns} == {
        name for name, _, _ in PAGES}


def test_the_table_matches_what_the_views_allow():
    from django.urls import resolve

    for name, kwargs, allowed in PAGES:
        view = resolve(page_url(name, kwargs, {"opening": 1, "complaint": 1})).func
        assert {Role(role) for role in view.allowed_roles} == {Role(r) for r in allowed}, name


def test_looking_at_every_page_changes_nothing(client, personas, records, signed_in):
    before = counts()
    for persona in ("clerk", "officer", "head", "auditor"):
        client.logout()
        signed_in(personas[persona])
        for name, kwargs, _allowed in PAGES:
            client.get(page_url(name, kwargs, records))
    assert counts() == before


def test_an_unknown_channel_is_not_found(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    for channel in ("phone", "web", "complaint_box", "fax"):
        assert client.get(url("intake:channel_log", channel=channel)).status_code == 404


def test_the_logged_page_shows_only_this_units_hand_logged_complaints(
    client, personas, units, signed_in, records
):
    other = make_records(
        {**personas, "clerk": personas["outsider"], "officer": personas["national_head"]},
        {**units, "DG": units["DU"]},
    )
    signed_in(personas["clerk"])
    assert client.get(url("intake:logged", complaint_id=other["complaint"])).status_code == 404


# --- each channel, end to end ------------------------------------------------------------

def channel_form(**changes):
    form = {
        "kind": Kind.COMPLAINT,
        "received_at": local_input(timezone.now() - timedelta(hours=2)),
        "body": "Гэрчилгээ олгохдоо хээл хахууль авсан.",
        "subject": "",
        "name": "",
        "phone": "",
        "token": secrets.token_urlsafe(24),
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def pdf(text=b"letter-canary-5521"):
    return SimpleUploadedFile("letter.pdf", small_pdf(text.decode()), "application/pdf")


CHANNEL_CASES = [
    ("walk_in", {"name": "Сараа", "phone": "8800 1234"}, None,
     {"name": "Сараа", "phone": "+97688001234"}),
    ("notebook", {"page": "12", "entry": "3"}, {"page": 12, "entry": 3}, None),
    ("letter",
     {"letter_number": "12/345", "letter_date": "2026-01-05", "name": "Дорж",
      "address": "Сайншанд сум, 3-р баг"},
     {"letter_number": "12/345", "letter_date": "2026-01-05"},
     {"name": "Дорж", "address": "Сайншанд сум, 3-р баг"}),
    ("email", {"sender_address": "irgen@example.mn", "email_subject": "Гомдол"},
     {"sender_address": "irgen@example.mn", "email_subject": "Гомдол"}, None),
    ("social", {"platform": "facebook", "handle": "bat.dorj"},
     {"platform": "facebook", "handle": "bat.dorj"}, None),
]


@pytest.mark.parametrize("persona", ["clerk", "officer"])
@pytest.mark.parametrize(("channel", "fields", "details", "reporter"), CHANNEL_CASES)
def test_each_channel_is_logged_end_to_end(
    client, personas, units, signed_in, persona, channel, fields, details, reporter
):
    signed_in(personas[persona])
    response = client.post(url("intake:channel_log", channel=channel),
                           channel_form(subject="Улсын бүртгэгч Б.", **fields))
    complaint = Complaint.objects.get()
    assert response.status_code == 302, error_codes(response)
    assert response["Location"] == url("intake:logged", complaint_id=complaint.pk)
    assert (complaint.channel, complaint.unit, complaint.logged_by) == (
        channel, units["DG"], personas[persona])
    assert complaint.body.reveal() == "Гэрчилгээ олгохдоо хээл хахууль авсан."
    assert complaint.subject.reveal() == "Улсын бүртгэгч Б."
    assert (complaint.channel_details.reveal() if complaint.channel_details else None) == details
    assert (complaint.reporter.reveal() if complaint.reporter else None) == reporter
    assert complaint.receipt_hash is None
    event = AuditEvent.objects.get(action="complaint.logged")
    assert event.details_dict["channel"] == channel
    assert "хахууль" not in event.details
    page = client.get(response["Location"]).content.decode()
    assert complaint.reference in page and "хахууль" not in page


@pytest.mark.parametrize("channel", ["letter", "email"])
def test_letters_and_emails_keep_their_attachments_encrypted(
    client, personas, units, signed_in, settings, channel
):
    signed_in(personas["clerk"])
    response = client.post(url("intake:channel_log", channel=channel),
                           {**channel_form(), "attachments": [pdf(), pdf(b"second page")]})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    attachments = list(complaint.attachments.order_by("pk"))
    assert [a.content_type for a in attachments] == ["application/pdf"] * 2
    assert attachments[0].filename.reveal() == "letter.pdf"
    plain = b"".join(open_encrypted(attachments[0].stored_name, data_key=complaint.data_key,
                                    context=f"intake.attachment|{complaint.uid}"))
    assert plain.startswith(b"%PDF-") and b"letter-canary-5521" in plain
    on_disk = b"".join(p.read_bytes() for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    assert b"letter-canary-5521" not in on_disk
    assert AuditEvent.objects.get(action="complaint.logged").details_dict["attachments"] == 2


def test_channels_without_files_take_none(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    response = client.post(url("intake:channel_log", channel="social"),
                           {**channel_form(platform="facebook"), "attachments": pdf()})
    assert response.status_code == 302
    assert Complaint.objects.get().attachments.count() == 0


def test_a_walk_in_visitor_may_be_given_a_receipt_shown_once(
    client, personas, units, signed_in
):
    signed_in(personas["officer"])
    response = client.post(url("intake:channel_log", channel="walk_in"),
                           channel_form(give_receipt="on"))
    assert response.status_code == 200
    shown = re.search(r'<strong id="receipt">([\d ]+)</strong>', response.content.decode())[1]
    complaint = Complaint.objects.get()
    assert Complaint.objects.get(
        receipt_hash__in=receipt_candidates(shown.replace(" ", ""))) == complaint
    later = client.get(url("intake:logged", complaint_id=complaint.pk)).content.decode()
    assert shown not in later and 'id="receipt"' not in later


def test_only_walk_ins_offer_a_receipt(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    client.post(url("intake:channel_log", channel="letter"), channel_form(give_receipt="on"))
    assert Complaint.objects.get().receipt_hash is None


@pytest.mark.parametrize(
    ("channel", "changes", "field", "code"),
    [
        ("walk_in", {"received_at": "2999-05-01T09:00"}, "received_at", "future"),
        ("walk_in", {"received_at": "1990-05-01T09:00"}, "received_at", "too_old"),
        ("walk_in", {"received_at": ""}, "received_at", "required"),
        ("walk_in", {"body": "    "}, "body", "required"),
        ("walk_in", {"body": "ү" * 10_001}, "body", "max_length"),
        ("walk_in", {"body": "мөнгө\x0cнэхсэн"}, "body", "unreadable"),
        ("walk_in", {"phone": "Болд 99112233"}, "phone", "text"),
        ("notebook", {"page": ""}, "page", "required"),
        ("notebook", {"page": "0"}, "page", "min_value"),
        ("notebook", {"page": "12", "entry": "гурав"}, "entry", "invalid"),
        ("letter", {"letter_date": "2999-01-01"}, "letter_date", "future"),
        ("letter", {"letter_number": "1\x002"}, "letter_number", "unreadable"),
        ("email", {"sender_address": "not an address"}, "sender_address", "invalid"),
        ("email", {"email_subject": "x" * 301}, "email_subject", "max_length"),
        ("social", {"platform": "myspace"}, "platform", "invalid_choice"),
        ("social", {"platform": "facebook", "handle": "h" * 101}, "handle", "max_length"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    client, personas, units, signed_in, channel, changes, field, code
):
    signed_in(personas["clerk"])
    before = counts()
    base = {"notebook": {"page": "1"}, "social": {"platform": "other"}}.get(channel, {})
    response = client.post(url("intake:channel_log", channel=channel),
                           channel_form(**{**base, **changes}))
    assert response.status_code == 400
    assert error_codes(response) == {field: {code}}
    assert counts() == before


def test_a_letter_cannot_be_dated_after_it_arrived(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(url("intake:channel_log", channel="letter", language="en"),
                           channel_form(letter_date=yesterday.isoformat(),
                                        received_at=local_input(timezone.now()
                                                                - timedelta(days=3))))
    assert response.status_code == 400
    assert error_codes(response) == {"letter_date": {"order"}}
    assert "The letter cannot be dated after the day it was received." in (
        response.content.decode())
    assert Complaint.objects.count() == 0


def test_a_file_that_lies_about_its_type_is_refused_and_saves_nothing(
    client, personas, units, signed_in
):
    signed_in(personas["clerk"])
    before = counts()
    lying = SimpleUploadedFile("scan.png", b"%PDF-1.7 pretending", "image/png")
    response = client.post(url("intake:channel_log", channel="letter"),
                           {**channel_form(), "attachments": lying})
    assert response.status_code == 400
    assert error_codes(response) == {"attachments": {"lying"}}
    assert counts() == before


def test_a_scan_of_too_many_pixels_is_refused_and_saves_nothing(
    client, personas, units, signed_in
):
    signed_in(personas["clerk"])
    before = counts()
    bomb = SimpleUploadedFile("scan.png", png_claiming(12000, 12000), "image/png")
    response = client.post(url("intake:channel_log", channel="letter"),
                           {**channel_form(), "attachments": bomb})
    assert response.status_code == 400
    assert error_codes(response) == {"attachments": {"pixels"}}
    assert counts() == before


def test_too_many_files_are_refused(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    response = client.post(url("intake:channel_log", channel="email"),
                           {**channel_form(), "attachments": [pdf() for _ in range(6)]})
    assert response.status_code == 400
    assert error_codes(response) == {"attachments": {"too_many"}}
    assert Complaint.objects.count() == 0


def test_the_same_entry_sent_twice_is_logged_once(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    form = channel_form(page="4")
    assert client.post(url("intake:channel_log", channel="notebook"), form).status_code == 302
    assert client.post(url("intake:channel_log", channel="notebook"), form).status_code == 409
    assert Complaint.objects.count() == 1


def test_html_in_a_letter_is_kept_as_text_and_shown_escaped(client, personas, units,
                                                            signed_in):
    signed_in(personas["clerk"])
    text = '<a href="javascript:alert(1)">дарна уу</a>'
    response = client.post(url("intake:channel_log", channel="letter"),
                           channel_form(body=text, letter_date="2999-01-01"))
    page = response.content.decode()
    assert '<a href="javascript' not in page and "&lt;a href=&quot;javascript" in page
    client.post(url("intake:channel_log", channel="letter"), channel_form(body=text))
    assert Complaint.objects.get().body.reveal() == text


def test_a_walk_in_with_a_known_number_tells_of_earlier_complaints(
    client, personas, units, signed_in
):
    signed_in(personas["clerk"])
    client.post(url("intake:channel_log", channel="walk_in"), channel_form(phone="99112233"))
    response = client.post(url("intake:channel_log", channel="walk_in", language="en"),
                           channel_form(phone="9911 2233"), follow=True)
    assert "1 earlier complaint in this unit came from it" in response.content.decode()


def test_a_file_over_the_limit_is_refused_and_saves_nothing(client, personas, units,
                                                            signed_in):
    from intake.uploads import MAX_FILE_BYTES

    signed_in(personas["clerk"])
    before = counts()
    huge = SimpleUploadedFile("big.pdf", b"%PDF-1.7 " + b"0" * MAX_FILE_BYTES,
                              "application/pdf")
    response = client.post(url("intake:channel_log", channel="letter"),
                           {**channel_form(), "attachments": huge})
    assert response.status_code == 413
    assert counts() == before
