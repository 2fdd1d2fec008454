"""A PDF reaches staff as its pages only: no author, title, XMP, attached file, script,
comment author or photo EXIF of the reporter's, and every page looks exactly as it did."""

import io
import logging

import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ImageChops
from pypdf import PdfReader, PdfWriter
from pypdf.generic import StreamObject

from intake import pdfs
from intake.models import Attachment, Complaint
from intake.uploads import clean_upload
from tests.intake.pages_channels import url as channel_url
from tests.intake.pdf_samples import pdf_with_secret_metadata, small_pdf
from tests.intake.test_staff_channels import channel_form
from tests.intake.test_web_submission import named, says_in_both_languages, send_report, stored
from tests.vault.canary import canary, contains

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def everything_in(data: bytes) -> bytes:
    """The file's bytes and each of its streams decoded, so that nothing compressed hides."""
    found = [data]
    reader = PdfReader(io.BytesIO(data))
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            item = reader.get_object(number)
        except Exception:  # a free slot in the cross-reference table
            continue
        if isinstance(item, StreamObject):
            filters = item.get("/Filter")
            jpeg = filters is not None and "/DCTDecode" in str(filters)
            found.append(item._data if jpeg else item.get_data())
    return b"\n".join(found)


def carries(data: bytes, secret: str) -> bool:
    whole = everything_in(data)
    return contains(whole, secret) or secret.encode("utf-16-be") in whole


def first_page(data: bytes):
    return pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil()


def looks_the_same(before: bytes, after: bytes) -> bool:
    return ImageChops.difference(first_page(before), first_page(after)).getbbox() is None


def test_the_sample_carries_its_secret_in_every_kind_of_metadata():
    secret = canary()
    raw = pdf_with_secret_metadata(secret)
    reader = PdfReader(io.BytesIO(raw))
    assert reader.metadata.author == reader.metadata.title == secret
    assert secret.encode() in reader.root_object["/Metadata"].get_data()
    assert list(reader.attachments) == ["note.txt"]
    image = next(iter(reader.pages[0]["/Resources"]["/XObject"].values())).get_object()
    assert secret.encode() in image.get_data() and b"Exif" in image.get_data()
    assert "/Metadata" in image and "/OpenAction" in reader.root_object


# reportlab wraps a JPEG in ASCII85: a small one is decoded whole, a larger one only its header.
@pytest.mark.parametrize("side", [48, 240])
def test_a_pdf_keeps_its_pages_and_loses_every_trace_of_its_author(side):
    secret = canary()
    raw = pdf_with_secret_metadata(secret, side)
    clean = clean_upload(SimpleUploadedFile("evidence.pdf", raw))
    assert clean.content_type == "application/pdf"
    assert not carries(clean.data, secret) and b"CanaryCam" not in everything_in(clean.data)
    reader = PdfReader(io.BytesIO(clean.data))
    assert reader.metadata is None and "/Metadata" not in reader.root_object
    assert not reader.attachments and "/OpenAction" not in reader.root_object
    assert b"pypdf" not in clean.data  # not even the rewriting library's name
    assert looks_the_same(raw, clean.data)
    assert "Complaint evidence" in reader.pages[0].extract_text()


def staff_download(client, personas, signed_in, complaint: Complaint) -> bytes:
    signed_in(personas["officer"])
    attachment = Attachment.objects.get(complaint=complaint)
    response = client.post(reverse("intake:case_file", kwargs={
        "unit_code": complaint.unit.code, "reference": complaint.reference,
        "uid": attachment.uid}))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_pdf_reported_on_the_web_reaches_staff_without_its_metadata(
    client, units, personas, signed_in
):
    secret = canary()
    raw = pdf_with_secret_metadata(secret)
    assert send_report(client, files=[named("нотлох.pdf", raw)]).status_code == 200
    downloaded = staff_download(client, personas, signed_in, Complaint.objects.get())
    assert not carries(downloaded, secret)
    assert looks_the_same(raw, downloaded)


def test_a_pdf_a_clerk_attaches_to_a_letter_reaches_staff_without_its_metadata(
    client, units, personas, signed_in
):
    secret = canary()
    raw = pdf_with_secret_metadata(secret)
    signed_in(personas["clerk"])
    response = client.post(channel_url("intake:channel_log", channel="letter"), {
        **channel_form(), "attachments": [SimpleUploadedFile("letter.pdf", raw)]})
    assert response.status_code == 302
    client.logout()
    downloaded = staff_download(client, personas, signed_in, Complaint.objects.get())
    assert not carries(downloaded, secret)
    assert looks_the_same(raw, downloaded)


def refusal_of(data: bytes, name="document.pdf") -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        clean_upload(SimpleUploadedFile(name, data))
    return refused.value


def protected_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(small_pdf())))
    writer.encrypt("нууц үг", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "code"), [
    (b"%PDF-1.7 not really a document", "pdf_broken"),
    (small_pdf()[:200], "pdf_broken"),
    (protected_pdf(), "pdf_password"),
])
def test_a_pdf_that_cannot_be_read_as_it_is_is_refused_with_a_reason(data, code):
    assert refusal_of(data).code == code


def test_a_pdf_with_more_pages_than_the_limit_is_refused_with_the_limit(monkeypatch):
    monkeypatch.setattr(pdfs, "MAX_PDF_PAGES", 3)
    assert len(PdfReader(io.BytesIO(clean_upload(
        SimpleUploadedFile("a.pdf", small_pdf(pages=3))).data)).pages) == 3
    refused = refusal_of(small_pdf(pages=4))
    assert (refused.code, refused.params) == ("pdf_pages", {"limit": 3})


def test_a_pdf_with_more_objects_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(pdfs, "MAX_PDF_OBJECTS", 8)
    assert refusal_of(small_pdf(pages=5)).code == "pdf_objects"


@pytest.mark.parametrize(("name", "data"), [
    ("гомдол.docx", b"PK\x03\x04" + b"\x00" * 60),
    ("гомдол.odt", b"PK\x03\x04" + b"\x00" * 60),
    ("гомдол.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60),
])
def test_word_and_opendocument_files_are_refused_saying_why(name, data):
    assert refusal_of(data, name).code == "office"


def test_a_refused_pdf_on_the_web_saves_nothing_and_says_why(client, units):
    def send(prefix):
        return send_report(client, prefix, files=[named("баримт.pdf", b"%PDF-1.7 broken")])

    says_in_both_languages(send, "A PDF document could not be read. Save it again as PDF and "
                                 "attach the new copy.")
    assert stored()["complaints"] == 0


def test_what_pypdf_says_about_a_damaged_pdf_stays_out_of_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    intact = small_pdf(canary())
    damaged = intact[:intact.rfind(b"startxref")] + b"startxref\n12\n%%EOF\n"
    assert PdfReader(io.BytesIO(clean_upload(SimpleUploadedFile("a.pdf", damaged)).data)).pages
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]
