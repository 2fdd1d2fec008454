import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from intake import uploads
from intake.uploads import clean_upload, safe_filename


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamCorp"  # Make
    exif[0x013B] = "Батболд Доржийн"  # Artist
    exif[0x8825] = {1: "N", 2: (47.0, 55.0, 0.0), 3: "E", 4: (106.0, 55.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Батболд Доржийн")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_photos_lose_their_gps_camera_and_author():
    raw = jpeg_with_gps()
    assert b"SecretCamCorp" in raw
    clean = clean_upload(upload("photo.jpg", raw, "image/jpeg"))
    assert clean.content_type == "image/jpeg" and clean.filename == "photo.jpg"
    assert b"SecretCamCorp" not in clean.data and b"Exif" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (40, 30)
        assert not image.getexif()


def test_png_text_chunks_are_removed():
    raw = png_with_text()
    clean = clean_upload(upload("scan.png", raw))
    assert "Батболд".encode() not in clean.data
    assert clean.content_type == "image/png"


def test_pdf_documents_are_accepted():
    clean = clean_upload(upload("letter.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"))
    assert clean.content_type == "application/pdf" and clean.filename == "letter.pdf"


@pytest.mark.parametrize(("name", "data", "code"), [
    ("empty.jpg", b"", "empty"),
    ("run.exe", b"MZ\x90\x00" + b"\x00" * 100, "type"),
    ("page.html", b"<html><script>alert(1)</script>", "type"),
    ("photo.jpg", b"%PDF-1.4 pretending", "lying"),
    ("report.pdf.exe", b"%PDF-1.4\n", "lying"),
    ("broken.jpg", b"\xff\xd8\xff" + b"garbage" * 10, "broken"),
])
def test_bad_files_are_refused_with_a_reason(name, data, code):
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(name, data))
    assert refused.value.code == code


def test_files_over_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload("big.pdf", b"%PDF-" + b"0" * 2000))
    assert refused.value.code == "too_large"


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32.pdf", "system32.pdf"),
    ("/abs/path/scan.pdf", "scan.pdf"),
    ("гомдол\x00\x07.pdf", "гомдол.pdf"),
    ("....pdf", "pdf.pdf"),
    ("", "file.pdf"),
])
def test_path_tricks_in_file_names_are_neutralised(name, expected):
    assert safe_filename(name, ".pdf") == expected
