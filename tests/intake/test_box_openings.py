"""The clerk opens a box with a witness, logs every slip in it, and closes the opening."""

import io
import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from intake.models import BoxOpening, Channel, Complaint, DiscardedSlip, Kind
from intake.services import box_opening_record
from tests.intake.pages_channels import counts, error_codes, local_input, url
from vault.files import open_encrypted

pytestmark = pytest.mark.django_db
UB = ZoneInfo("Asia/Ulaanbaatar")


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Encrypted files written here stay out of other tests' way."""
    settings.MEDIA_ROOT = tmp_path / "media"


def opening_form(personas, **changes):
    form = {
        "box": BoxOpening.Box.COMPLAINT,
        "opened_at": local_input(timezone.now() - timedelta(minutes=30)),
        "opened_by": personas["clerk"].pk,
        "witness": personas["officer"].pk,
        "slip_count": "2",
        "token": "opening-token-0123456789",
    }
    form.update(changes)
    return form


def slip_form(**changes):
    form = {"kind": Kind.COMPLAINT, "body": "Бичиг хэргийн ажилтан 50 мянга нэхсэн",
            "subject": "", "name": "", "phone": "", "contact": "",
            "token": secrets.token_urlsafe(24)}
    form.update(changes)
    return form


def open_box(personas, units, slips=2, unit="DG", clerk="clerk", witness="officer"):
    return box_opening_record(
        unit=units[unit], box=BoxOpening.Box.COMPLAINT,
        opened_at=timezone.now() - timedelta(hours=1), opened_by=personas[clerk],
        witness=personas[witness], slip_count=slips, recorded_by=personas[clerk],
    )


def png_scan() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (250, 250, 240)).save(out, format="PNG")
    return out.getvalue()


def stored_files(settings):
    return {p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()}


def actions():
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_clerk_records_an_opening_logs_every_slip_and_closes_it(
    client, personas, units, signed_in, settings
):
    signed_in(personas["clerk"])
    response = client.post(url("intake:box_opening_new"), opening_form(personas))
    opening = BoxOpening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("intake:box_opening", opening_id=opening.pk)
    assert (opening.unit, opening.opened_by, opening.witness, opening.slip_count) == (
        units["DG"], personas["clerk"], personas["officer"], 2)
    assert not opening.is_reconciled

    page = client.get(response["Location"]).content.decode()
    assert re.search(r'id="slip-count">\s*0\D+2\s*<', page)

    scan = SimpleUploadedFile("slip.png", png_scan(), content_type="image/png")
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk),
                           {**slip_form(phone="9911 2233", name="Бат"), "scans": scan})
    assert response.status_code == 302
    assert response["Location"] == url("intake:box_slip_new", opening_id=opening.pk)
    slip = Complaint.objects.get()
    assert (slip.channel, slip.box_opening, slip.logged_by) == (
        Channel.COMPLAINT_BOX, opening, personas["clerk"])
    assert slip.body.reveal() == "Бичиг хэргийн ажилтан 50 мянга нэхсэн"
    assert slip.reporter.reveal() == {"name": "Бат", "phone": "+97699112233"}
    scan_stored = slip.attachments.get()
    assert scan_stored.content_type == "image/png"
    plain = b"".join(open_encrypted(scan_stored.stored_name, data_key=slip.data_key,
                                    context=f"intake.attachment|{slip.uid}"))
    assert plain.startswith(b"\x89PNG")
    on_disk = b"".join(p.read_bytes() for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    assert plain not in on_disk

    response = client.post(url("intake:box_slip_discard", opening_id=opening.pk),
                           {"reason": DiscardedSlip.Reason.BLANK,
                            "token": "discard-token-0123456789"})
    assert response.status_code == 302
    assert response["Location"] == url("intake:box_opening", opening_id=opening.pk)

    response = client.post(url("intake:box_opening_close", opening_id=opening.pk))
    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.is_reconciled
    assert actions() == ["box.opened", "complaint.logged", "box.slip_discarded",
                         "box.reconciled"]


def test_an_empty_box_is_recorded_and_already_closed(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    response = client.post(url("intake:box_opening_new"),
                           opening_form(personas, slip_count="0"))
    assert response.status_code == 302
    opening = BoxOpening.objects.get()
    assert opening.slip_count == 0 and opening.is_reconciled
    event = AuditEvent.objects.get(action="box.opened")
    assert event.details_dict["slips"] == 0
    page = client.get(response["Location"]).content.decode()
    assert url("intake:box_slip_new", opening_id=opening.pk) not in page
    assert url("intake:box_opening_close", opening_id=opening.pk) not in page

    before = counts()
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk), slip_form())
    assert response.status_code == 400
    assert error_codes(response) == {"__all__": {"full"}}
    assert counts() == before


def test_closing_is_refused_while_the_count_does_not_reconcile(
    client, personas, units, signed_in
):
    opening = open_box(personas, units, slips=3)
    signed_in(personas["clerk"])
    client.post(url("intake:box_slip_new", opening_id=opening.pk), slip_form())
    before = counts()
    response = client.post(url("intake:box_opening_close", opening_id=opening.pk,
                               language="en"))
    assert response.status_code == 400
    assert ("1 of 3 slips are logged; log or discard every slip before closing the opening."
            in response.content.decode())
    opening.refresh_from_db()
    assert not opening.is_reconciled
    assert counts() == before
    assert not AuditEvent.objects.filter(action="box.reconciled").exists()


def test_the_refusal_to_close_is_shown_in_mongolian_too(client, personas, units, signed_in):
    opening = open_box(personas, units, slips=1)
    signed_in(personas["clerk"])
    response = client.post(url("intake:box_opening_close", opening_id=opening.pk))
    assert response.status_code == 400
    assert response["Content-Language"] == "mn"
    assert "0 of 1 slips" not in response.content.decode()


def test_a_slip_beyond_the_declared_count_is_refused_and_saves_nothing(
    client, personas, units, signed_in
):
    opening = open_box(personas, units, slips=1)
    signed_in(personas["clerk"])
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk), slip_form())
    assert response.status_code == 302
    assert response["Location"] == url("intake:box_opening", opening_id=opening.pk)
    before = counts()
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk, language="en"),
                           slip_form(body="Нэг хуудас илүү"))
    assert response.status_code == 400
    assert "All 1 slips of this opening are already logged." in response.content.decode()
    response = client.post(url("intake:box_slip_discard", opening_id=opening.pk),
                           {"reason": DiscardedSlip.Reason.SPAM,
                            "token": secrets.token_urlsafe(24)})
    assert response.status_code == 400
    assert error_codes(response) == {"__all__": {"full"}}
    assert counts() == before


def test_a_full_opening_offers_no_slip_form(client, personas, units, signed_in):
    opening = open_box(personas, units, slips=1)
    signed_in(personas["clerk"])
    client.post(url("intake:box_slip_new", opening_id=opening.pk), slip_form())
    response = client.get(url("intake:box_slip_new", opening_id=opening.pk))
    assert response.status_code == 200
    assert 'name="body"' not in response.content.decode()


def test_the_witness_cannot_be_the_person_who_opened_the_box(
    client, personas, units, signed_in
):
    signed_in(personas["clerk"])
    before = counts()
    response = client.post(url("intake:box_opening_new", language="en"),
                           opening_form(personas, witness=personas["clerk"].pk))
    assert response.status_code == 400
    assert error_codes(response) == {"witness": {"witness"}}
    assert ("The witness must be someone other than the person who opened the box."
            in response.content.decode())
    assert counts() == before


def test_the_witness_comes_from_the_units_own_staff(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    before = counts()
    response = client.post(url("intake:box_opening_new"),
                           opening_form(personas, witness=personas["outsider"].pk))
    assert response.status_code == 400
    assert error_codes(response) == {"witness": {"invalid_choice"}}
    assert counts() == before
    page = client.get(url("intake:box_opening_new")).content.decode()
    assert f'value="{personas["head"].pk}"' in page
    assert f'value="{personas["outsider"].pk}"' not in page


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"opened_at": "2999-01-01T10:00"}, "opened_at", "future"),
        ({"opened_at": "1999-12-31T10:00"}, "opened_at", "too_old"),
        ({"opened_at": "вчера"}, "opened_at", "invalid"),
        ({"opened_at": ""}, "opened_at", "required"),
        ({"slip_count": "-1"}, "slip_count", "min_value"),
        ({"slip_count": "1001"}, "slip_count", "max_value"),
        ({"slip_count": "хоёр"}, "slip_count", "invalid"),
        ({"slip_count": ""}, "slip_count", "required"),
        ({"box": "shoebox"}, "box", "invalid_choice"),
        ({"witness": ""}, "witness", "required"),
        ({"token": "short"}, "__all__", "token"),
    ],
)
def test_a_bad_opening_is_refused_with_a_message_and_saves_nothing(
    client, personas, units, signed_in, changes, field, code
):
    signed_in(personas["clerk"])
    before = counts()
    response = client.post(url("intake:box_opening_new"), opening_form(personas, **changes))
    assert response.status_code == 400
    assert error_codes(response) == {field: {code}}
    assert counts() == before


def test_an_opening_an_hour_in_the_future_is_refused(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    later = local_input(timezone.now() + timedelta(hours=1))
    response = client.post(url("intake:box_opening_new", language="en"),
                           opening_form(personas, opened_at=later))
    assert response.status_code == 400
    assert "This time is in the future." in response.content.decode()
    assert BoxOpening.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"body": ""}, "body", "required"),
        ({"body": "   \n\t  "}, "body", "required"),
        ({"body": "а" * 10_001}, "body", "max_length"),
        ({"body": "хахууль\x00нэхсэн"}, "body", "unreadable"),
        ({"body": "хахууль\x1bнэхсэн"}, "body", "unreadable"),
        ({"body": "хахууль \ufffd нэхсэн"}, "body", "unreadable"),
        ({"subject": "x\x07"}, "subject", "unreadable"),
        ({"name": "н" * 201}, "name", "max_length"),
        ({"phone": "утас 99112233"}, "phone", "text"),
        ({"phone": "1234"}, "phone", "invalid"),
        ({"kind": "rumour"}, "kind", "invalid_choice"),
    ],
)
def test_a_bad_slip_is_refused_with_a_message_and_saves_nothing(
    client, personas, units, signed_in, changes, field, code
):
    opening = open_box(personas, units)
    signed_in(personas["clerk"])
    before = counts()
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk),
                           slip_form(**changes))
    assert response.status_code == 400
    assert error_codes(response) == {field: {code}}
    assert counts() == before


def test_a_scan_that_is_not_a_picture_is_refused_and_saves_nothing(
    client, personas, units, signed_in, settings
):
    opening = open_box(personas, units)
    signed_in(personas["clerk"])
    before, files_before = counts(), stored_files(settings)
    fake = SimpleUploadedFile("slip.jpg", b"MZ\x90\x00 not a picture", "image/jpeg")
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk),
                           {**slip_form(), "scans": fake})
    assert response.status_code == 400
    assert error_codes(response) == {"scans": {"type"}}
    assert counts() == before
    assert stored_files(settings) == files_before


def test_html_on_a_slip_is_kept_as_text_and_shown_escaped(client, personas, units, signed_in):
    opening = open_box(personas, units)
    signed_in(personas["clerk"])
    script = "<script>alert('x')</script> <b>хахууль</b>"
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk),
                           slip_form(body=script, phone="1234"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>alert" not in page and "<b>хахууль" not in page
    assert "&lt;script&gt;alert(" in page
    response = client.post(url("intake:box_slip_new", opening_id=opening.pk),
                           slip_form(body=script))
    assert response.status_code == 302
    assert Complaint.objects.get().body.reveal() == script


def test_head_and_auditor_see_the_count_but_not_what_slips_say(
    client, personas, units, signed_in
):
    opening = open_box(personas, units)
    signed_in(personas["clerk"])
    client.post(url("intake:box_slip_new", opening_id=opening.pk),
                slip_form(body="Нууц-үг-42 хахууль", name="Дорж"))
    reference = Complaint.objects.get().reference
    for persona in ("head", "auditor", "officer"):
        client.logout()
        signed_in(personas[persona])
        page = client.get(url("intake:box_opening", opening_id=opening.pk)).content.decode()
        assert reference in page
        assert "Нууц-үг-42" not in page and "Дорж" not in page
        assert url("intake:box_slip_new", opening_id=opening.pk) not in page
        assert url("intake:box_opening_close", opening_id=opening.pk) not in page
        response = client.post(url("intake:box_slip_new", opening_id=opening.pk), slip_form())
        assert response.status_code == 403
    assert Complaint.objects.count() == 1
    assert not AuditEvent.objects.filter(action="content.read").exists()


def test_an_opening_of_another_unit_is_not_found(client, personas, units, signed_in):
    foreign = open_box(personas, units, unit="DU", clerk="outsider", witness="national_head")
    signed_in(personas["clerk"])
    for name in ("intake:box_opening", "intake:box_slip_new", "intake:box_slip_discard",
                 "intake:box_opening_close"):
        assert client.get(url(name, opening_id=foreign.pk)).status_code == 404, name
    before = counts()
    response = client.post(url("intake:box_slip_new", opening_id=foreign.pk), slip_form())
    assert response.status_code == 404
    assert counts() == before


def test_the_same_opening_sent_twice_is_recorded_once(client, personas, units, signed_in):
    signed_in(personas["clerk"])
    form = opening_form(personas)
    assert client.post(url("intake:box_opening_new"), form).status_code == 302
    assert client.post(url("intake:box_opening_new"), form).status_code == 409
    assert BoxOpening.objects.count() == 1


def test_the_list_of_openings_filters_by_box_and_month(client, personas, units, signed_in):
    def opening(box, when, slips=0):
        return box_opening_record(
            unit=units["DG"], box=box, opened_at=when, opened_by=personas["clerk"],
            witness=personas["head"], slip_count=slips, recorded_by=personas["clerk"],
        )

    march = opening(BoxOpening.Box.COMPLAINT, datetime(2026, 3, 31, 23, 30, tzinfo=UB))
    april = opening(BoxOpening.Box.COMPLAINT, datetime(2026, 4, 1, 0, 30, tzinfo=UB), slips=4)
    suggestions = opening(BoxOpening.Box.SUGGESTION, datetime(2026, 4, 15, 10, tzinfo=UB))
    open_box(personas, units, unit="DU", clerk="outsider", witness="national_head")
    signed_in(personas["head"])

    def listed(**query):
        response = client.get(url("intake:box_openings"), query)
        assert response.status_code == 200
        return [o.pk for o in response.context["page"].object_list]

    assert listed() == [suggestions.pk, april.pk, march.pk]
    assert listed(month="2026.04") == [suggestions.pk, april.pk]
    assert listed(month="2026-03") == [march.pk]
    assert listed(month="202603") == [march.pk]
    assert listed(box=BoxOpening.Box.SUGGESTION) == [suggestions.pk]
    assert listed(box=BoxOpening.Box.COMPLAINT, month="2026-04") == [april.pk]
    assert listed(month="April") == []
    page = client.get(url("intake:box_openings")).content.decode()
    assert re.search(r"0\D+4\s*</td>", page)  # logged of declared
    assert url("intake:box_opening_new") not in page  # the head does not record openings



def test_the_printed_record_lists_the_unit_the_people_the_count_and_the_references(
    client, personas, units, signed_in
):
    from intake.services import Content, box_slip_discard, box_slip_log

    opening = open_box(personas, units, slips=3)
    slips = [box_slip_log(opening=opening, kind=Kind.COMPLAINT, logged_by=personas["clerk"],
                          content=Content(body=f"Нууц гомдол {n}")).complaint
             for n in range(2)]
    box_slip_discard(opening=opening, reason=DiscardedSlip.Reason.BLANK,
                     logged_by=personas["clerk"])
    signed_in(personas["officer"])
    page = client.get(url("intake:box_opening_print", opening_id=opening.pk)).content.decode()
    assert units["DG"].name_mn in page
    assert timezone.localtime(opening.opened_at).strftime("%Y.%m.%d") in page
    for person in ("clerk", "officer"):
        assert personas[person].get_full_name() in page
    assert all(slip.reference in page for slip in slips)
    assert "Нууц гомдол" not in page  # what a slip says is never on the record
    assert page.count('class="line"') == 2  # a signature line for each of the two
    assert 'data-print' in page and "data-no-script-hint" in page
    opening_page = client.get(url("intake:box_opening", opening_id=opening.pk)).content.decode()
    assert url("intake:box_opening_print", opening_id=opening.pk) in opening_page
