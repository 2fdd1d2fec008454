"""The core of intake: reference numbers, clocks, sealing, and all-or-nothing saving."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from intake import services
from intake.models import Channel, Complaint, Kind
from intake.receipts import receipt_candidates
from intake.services import Content, Upload, staff_channel_log, web_report_submit
from intake.uploads import clean_upload
from tests.intake.pdf_samples import small_pdf
from vault.files import open_encrypted

pytestmark = pytest.mark.django_db
UB = ZoneInfo("Asia/Ulaanbaatar")


@pytest.fixture(autouse=True)
def _after_the_dates_used_here():
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UB), tick=False):
        yield


def log_letter(unit, clerk, when, body="Бичгээр ирсэн гомдол", kind=Kind.COMPLAINT):
    return staff_channel_log(
        unit=unit, channel=Channel.LETTER, kind=kind, received_at=when,
        content=Content(body=body), logged_by=clerk,
    ).complaint


def test_reference_numbers_count_per_unit_and_year(units, personas):
    clerk = personas["clerk"]
    first = log_letter(units["DG"], clerk, datetime(2026, 12, 30, 10, tzinfo=UB))
    second = log_letter(units["DG"], clerk, datetime(2026, 12, 31, 10, tzinfo=UB))
    other = log_letter(units["DU"], personas["outsider"], datetime(2026, 12, 31, 10, tzinfo=UB))
    new_year = log_letter(units["DG"], clerk, datetime(2027, 1, 2, 10, tzinfo=UB))
    assert [first.reference, second.reference] == ["DG-2026-00001", "DG-2026-00002"]
    assert other.reference == "DU-2026-00001"
    assert new_year.reference == "DG-2027-00001"


def test_the_year_is_the_mongolian_one_not_utcs(units, personas):
    # 00:30 on 1 January in Ulaanbaatar is still 31 December in UTC.
    complaint = log_letter(units["DG"], personas["clerk"], datetime(2027, 1, 1, 0, 30, tzinfo=UB))
    assert complaint.reference.startswith("DG-2027-")


def test_clocks_start_at_receipt_in_working_days(units, personas):
    # Friday 13 Feb 2026, before the lunar new year (18–20 Feb).
    complaint = log_letter(units["DG"], personas["clerk"], datetime(2026, 2, 13, 9, tzinfo=UB))
    assert complaint.acknowledge_due == date(2026, 2, 27)
    suggestion = log_letter(units["DG"], personas["clerk"], datetime(2026, 2, 13, 9, tzinfo=UB),
                            kind=Kind.SUGGESTION)
    assert suggestion.resolve_due > complaint.resolve_due


def test_content_is_sealed_and_the_event_recorded(units, personas):
    complaint = log_letter(units["DG"], personas["clerk"], datetime(2026, 3, 2, 9, tzinfo=UB),
                           body="Хахууль нэхсэн")
    stored = Complaint.objects.values_list("body", flat=True).get(pk=complaint.pk)
    assert "Хахууль".encode() not in bytes(stored)
    assert Complaint.objects.get(pk=complaint.pk).body.reveal() == "Хахууль нэхсэн"
    event = AuditEvent.objects.get(action="complaint.logged")
    assert event.object_id == str(complaint.pk)
    assert "Хахууль" not in str(event.details)


def test_empty_text_saves_nothing(units, personas):
    with pytest.raises(ValidationError):
        log_letter(units["DG"], personas["clerk"], datetime(2026, 3, 2, tzinfo=UB), body="  \n ")
    assert Complaint.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_web_reports_get_a_receipt_that_finds_them(units):
    logged = web_report_submit(unit=units["DG"], kind=Kind.COMPLAINT,
                               content=Content(body="Вэбээр"), submission_token="t" * 64,
                               language="mn")
    assert len(logged.receipt) == 16
    found = Complaint.objects.get(receipt_hash__in=receipt_candidates(logged.receipt))
    assert found == logged.complaint and found.logged_by is None


def test_a_failed_submission_leaves_no_file_behind(units, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # a folder no other test writes to
    from django.core.files.uploadedfile import SimpleUploadedFile

    clean = clean_upload(SimpleUploadedFile("a.pdf", small_pdf("secret")))
    upload = Upload(file=clean.open(), filename=clean.filename, content_type=clean.content_type)

    def explode(**kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(services, "record", explode)
    with pytest.raises(RuntimeError):
        web_report_submit(unit=units["DG"], kind=Kind.COMPLAINT, content=Content(body="x"),
                          submission_token="u" * 64, language="mn", uploads=[upload])
    assert Complaint.objects.count() == 0
    leftovers = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert leftovers == []


def test_attachments_are_stored_encrypted_and_read_back(units, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.uploadedfile import SimpleUploadedFile

    clean = clean_upload(SimpleUploadedFile("a.pdf", small_pdf("canary-8842")))
    logged = web_report_submit(
        unit=units["DG"], kind=Kind.COMPLAINT, content=Content(body="x"),
        submission_token="v" * 64, language="mn",
        uploads=[Upload(file=clean.open(), filename=clean.filename,
                        content_type=clean.content_type)],
    )
    attachment = logged.attachments[0]
    on_disk = b"".join(p.read_bytes() for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    assert b"canary-8842" not in on_disk
    plain = b"".join(open_encrypted(attachment.stored_name, data_key=attachment.data_key,
                                    context=f"intake.attachment|{logged.complaint.uid}"))
    assert plain.startswith(b"%PDF-") and b"canary-8842" in plain
