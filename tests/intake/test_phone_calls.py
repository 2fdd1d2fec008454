"""The clerk or an officer logs a call to the public line, read back to the caller."""

import re
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from intake.models import Channel, Complaint, Kind
from intake.receipts import receipt_candidates
from tests.intake.pages_channels import counts, error_codes, local_input, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Encrypted files written here stay out of other tests' way."""
    settings.MEDIA_ROOT = tmp_path / "media"


def call_form(**changes):
    form = {
        "line": "7052-2200",
        "other_line": "",
        "started_at": local_input(timezone.now() - timedelta(minutes=20)),
        "duration": "4:30",
        "caller_phone": "",
        "caller_name": "",
        "kind": Kind.COMPLAINT,
        "body": "Иргэний үнэмлэх авахад 100 мянга нэхсэн гэж хэлэв.",
        "subject": "",
        "summary_confirmed": "on",
        "token": secrets.token_urlsafe(24),
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def receipt_on(page: str) -> str | None:
    found = re.search(r'<strong id="receipt">([\d ]+)</strong>', page)
    return found[1] if found else None


@pytest.mark.parametrize("persona", ["clerk", "officer"])
def test_a_call_is_logged_end_to_end(client, personas, units, signed_in, persona):
    signed_in(personas[persona])
    response = client.post(url("intake:phone_call_new"), call_form(
        caller_phone="9911-2233", caller_name="Болд", subject="Бүртгэлийн ажилтан Д.",
    ))
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("intake:logged", complaint_id=complaint.pk)
    assert (complaint.channel, complaint.unit, complaint.logged_by) == (
        Channel.PHONE, units["DG"], personas[persona])
    assert complaint.phone_line == "7052-2200"
    assert complaint.call_duration_seconds == 270
    assert complaint.summary_confirmed is True
    assert complaint.receipt_hash is None
    assert complaint.body.reveal() == "Иргэний үнэмлэх авахад 100 мянга нэхсэн гэж хэлэв."
    assert complaint.subject.reveal() == "Бүртгэлийн ажилтан Д."
    assert complaint.reporter.reveal() == {"name": "Болд", "phone": "+97699112233"}
    event = AuditEvent.objects.get(action="complaint.logged")
    assert event.details_dict["channel"] == "phone"
    assert event.details_dict["receipt_issued"] is False
    assert "99112233" not in event.details and "Болд" not in event.details

    page = client.get(response["Location"]).content.decode()
    assert complaint.reference in page
    assert "4:30" in page
    assert 'id="receipt"' not in page


def test_the_summary_must_be_read_back_and_confirmed(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    before = counts()
    response = client.post(url("intake:phone_call_new", language="en"),
                           call_form(summary_confirmed=None))
    assert response.status_code == 400
    assert error_codes(response) == {"summary_confirmed": {"required"}}
    assert "Read the summary back to the caller" in response.content.decode()
    assert counts() == before


VALID_NUMBERS = [
    ("99112233", "+97699112233"),
    ("9911-2233", "+97699112233"),
    (" 99 11 22 33 ", "+97699112233"),
    ("+976 9911 2233", "+97699112233"),
    ("00976 99112233", "+97699112233"),
    ("(7052) 2200", "+97670522200"),
    ("８８００１２３４", "+97688001234"),  # full-width digits from a phone keyboard
    ("+86 138 0013 8000", "+8613800138000"),
    ("0086 138 0013 8000", "+8613800138000"),
    ("+7 913 123-45-67", "+79131234567"),
]

INVALID_NUMBERS = [
    ("1234", "invalid"),
    ("9911223", "invalid"),
    ("+976 1234", "invalid"),
    ("99112233 ext 12", "extension"),
    ("7052-2200 дотуур 105", "extension"),
    ("99112233, 88001234", "extension"),
    ("утас 99112233", "text"),
    ("<script>99112233</script>", "text"),
    ("99112233!", "characters"),
    ("9" * 40, "too_long"),
    ("9" * 41, "max_length"),
]


@pytest.mark.parametrize(("typed", "e164"), VALID_NUMBERS)
def test_the_callers_number_is_stored_in_e164_whatever_its_format(
    client, personas, units, signed_in, typed, e164
):
    signed_in(personas["clerk"])
    response = client.post(url("intake:phone_call_new"), call_form(caller_phone=typed))
    assert response.status_code == 302
    assert Complaint.objects.get().reporter.reveal() == {"phone": e164}


@pytest.mark.parametrize(("typed", "code"), INVALID_NUMBERS)
def test_a_bad_number_is_a_field_error_and_saves_nothing(
    client, personas, units, signed_in, typed, code
):
    signed_in(personas["clerk"])
    before = counts()
    response = client.post(url("intake:phone_call_new"), call_form(caller_phone=typed))
    assert response.status_code == 400
    assert error_codes(response) == {"caller_phone": {code}}
    assert counts() == before


def test_a_bad_number_is_explained_in_words(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    response = client.post(url("intake:phone_call_new", language="en"),
                           call_form(caller_phone="12345"))
    assert "This is not a valid phone number." in response.content.decode()


def test_a_caller_may_stay_unnamed_and_unnumbered(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    assert client.post(url("intake:phone_call_new"), call_form()).status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.reporter is None
    assert complaint.reporter_phone_index == ""


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("4:30", 270), ("5", 300), ("0:45", 45), ("12.05", 725), (" 3 : 07 ", 187),
     ("300:00", 18000)],
)
def test_durations_are_read_as_minutes_and_seconds(
    client, personas, units, signed_in, typed, seconds
):
    signed_in(personas["clerk"])
    assert client.post(url("intake:phone_call_new"),
                       call_form(duration=typed)).status_code == 302
    assert Complaint.objects.get().call_duration_seconds == seconds


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"duration": "4:75"}, "duration", "invalid"),
        ({"duration": "дөрөв"}, "duration", "invalid"),
        ({"duration": "-3"}, "duration", "invalid"),
        ({"duration": "300:01"}, "duration", "too_long"),
        ({"duration": ""}, "duration", "required"),
        ({"started_at": "2999-01-01T10:00"}, "started_at", "future"),
        ({"started_at": ""}, "started_at", "required"),
        ({"body": ""}, "body", "required"),
        ({"body": " \n "}, "body", "required"),
        ({"body": "ж" * 10_001}, "body", "max_length"),
        ({"body": "утсаар\x08ярьсан"}, "body", "unreadable"),
        ({"caller_name": "Бат\x00"}, "caller_name", "unreadable"),
        ({"line": "7777-7777"}, "line", "invalid_choice"),
        ({"other_line": "7052 2201"}, "other_line", "not_other"),
        ({"kind": ""}, "kind", "required"),
    ],
)
def test_a_bad_call_is_refused_with_a_message_and_saves_nothing(
    client, personas, units, signed_in, changes, field, code
):
    signed_in(personas["clerk"])
    before = counts()
    response = client.post(url("intake:phone_call_new"), call_form(**changes))
    assert response.status_code == 400
    assert error_codes(response) == {field: {code}}
    assert counts() == before


def test_a_call_in_the_next_hour_is_in_the_future(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    later = local_input(timezone.now() + timedelta(hours=1))
    response = client.post(url("intake:phone_call_new", language="en"),
                           call_form(started_at=later))
    assert response.status_code == 400
    assert "This time is in the future. Enter when it happened." in response.content.decode()
    assert Complaint.objects.count() == 0


def test_html_in_a_summary_is_shown_escaped(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    response = client.post(url("intake:phone_call_new"),
                           call_form(body="<img src=x onerror=alert(1)>", duration="x"))
    page = response.content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_call_to_another_line_keeps_that_lines_number(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    client.post(url("intake:phone_call_new"), call_form(line="other", other_line="7052 2201"))
    client.post(url("intake:phone_call_new"), call_form(line="other"))
    assert sorted(Complaint.objects.values_list("phone_line", flat=True)) == [
        "+97670522201", "other"]


def test_a_unit_without_a_public_line_offers_only_another_line(
    client, personas, units, signed_in
):
    signed_in(personas["outsider"])  # an officer of DU, which has no public line
    response = client.get(url("intake:phone_call_new", unit_code="DU"))
    assert response.status_code == 200
    assert list(response.context["form"].fields["line"].choices) == [
        ("other", response.context["form"].fields["line"].choices[0][1])]
    response = client.post(url("intake:phone_call_new", unit_code="DU"),
                           call_form(line="other"))
    assert response.status_code == 302
    assert Complaint.objects.get().unit == units["DU"]


def test_a_receipt_code_is_shown_once_to_read_out(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    form = call_form(give_receipt="on")
    response = client.post(url("intake:phone_call_new"), form)
    assert response.status_code == 200
    page = response.content.decode()
    shown = receipt_on(page)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", shown)
    code = shown.replace(" ", "")
    complaint = Complaint.objects.get()
    assert Complaint.objects.get(receipt_hash__in=receipt_candidates(code)) == complaint
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.get(action="complaint.logged").details_dict["receipt_issued"]
    assert code not in "".join(AuditEvent.objects.values_list("details", flat=True))

    later_pages = [
        url("intake:logged", complaint_id=complaint.pk),
        url("intake:phone_call_new"),
        url("intake:box_openings"),
        url("org:unit_home"),
        url("intake:logged", complaint_id=complaint.pk, language="en"),
    ]
    for later in later_pages:
        text = client.get(later).content.decode()
        assert code not in text and shown not in text, later
        assert 'id="receipt"' not in text, later

    # Sending the same form again (a reload of the receipt page) logs nothing and shows no code.
    again = client.post(url("intake:phone_call_new"), form)
    assert again.status_code == 409
    assert receipt_on(again.content.decode()) is None
    assert Complaint.objects.count() == 1


def test_the_receipt_page_tells_the_clerk_how_to_read_it_out(
    client, personas, units, signed_in
):
    signed_in(personas["clerk"])
    response = client.post(url("intake:phone_call_new", language="en"),
                           call_form(give_receipt="on"))
    page = response.content.decode()
    assert "Read it slowly" in page
    assert "Do not write the code down anywhere" in page


def test_a_repeat_caller_is_recognised_without_keeping_the_number_readable(
    client, personas, units, signed_in
):
    signed_in(personas["clerk"])
    for typed in ("99112233", "+976 9911-2233"):
        client.post(url("intake:phone_call_new"), call_form(caller_phone=typed))
    client.post(url("intake:phone_call_new"), call_form(caller_phone="88001234"))
    client.logout()
    signed_in(personas["outsider"])  # the same number in another unit does not count
    client.post(url("intake:phone_call_new", unit_code="DU"),
                call_form(line="other", caller_phone="9911 2233"))
    client.logout()
    signed_in(personas["officer"])

    response = client.post(url("intake:phone_call_new", language="en"),
                           call_form(caller_phone="00976 9911 2233"), follow=True)
    page = response.content.decode()
    assert re.search(r'class="[^"]*repeat-caller[^"]*">[^<]*2 earlier complaints', page)
    assert "99112233" not in page and "9911 2233" not in page

    response = client.post(url("intake:phone_call_new", language="en"),
                           call_form(caller_phone="8001 1223"), follow=True)
    assert "No earlier complaint in this unit came from this number." in (
        response.content.decode())

    indexes = "".join(Complaint.objects.values_list("reporter_phone_index", flat=True))
    assert "99112233" not in indexes and "+976" not in indexes


def test_the_repeat_count_shows_beside_a_receipt_too(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    client.post(url("intake:phone_call_new"), call_form(caller_phone="99112233"))
    response = client.post(url("intake:phone_call_new", language="en"),
                           call_form(caller_phone="99112233", give_receipt="on"))
    page = response.content.decode()
    assert receipt_on(page) and "1 earlier complaint in this unit" in page


def test_the_list_of_calls_shows_each_call_of_the_unit_and_offers_a_new_one(
        client, personas, units, signed_in):
    signed_in(personas["officer"])
    client.post(url("intake:phone_call_new"), call_form())
    client.post(url("intake:phone_call_new"), call_form(duration="12:05", kind=Kind.SUGGESTION))
    client.post(url("intake:channel_log", channel="letter"), {})  # not a call: never listed
    [older, newer] = Complaint.objects.filter(channel=Channel.PHONE).order_by("pk")
    page = client.get(url("intake:phone_calls")).content.decode()
    assert page.index(newer.reference) < page.index(older.reference)
    assert "12:05" in page and "4:30" in page and "7052-2200" in page
    assert personas["officer"].get_full_name() in page
    assert f'href="{url("intake:phone_call_new")}"' in page
    assert "Иргэний үнэмлэх" not in page  # nothing of what was said is decrypted


def test_the_menu_leads_to_the_list_of_calls(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    page = client.get(url("intake:box_openings")).content.decode()
    assert f'href="{url("intake:phone_calls")}"' in page


def test_a_call_of_another_unit_is_not_listed(client, personas, units, signed_in):
    from intake.services import Content, phone_call_log

    phone_call_log(unit=units["DU"], line="other", started_at=timezone.now(),
                   duration_seconds=60, kind=Kind.COMPLAINT, content=Content(body="Гомдол"),
                   summary_confirmed=True, give_receipt=False, logged_by=personas["outsider"])
    signed_in(personas["officer"])
    page = client.get(url("intake:phone_calls")).content.decode()
    assert Complaint.objects.get().reference not in page
