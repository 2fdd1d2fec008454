import io
import struct
import time
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from intake import uploads
from intake.uploads import clean_upload, safe_filename
from tests.intake.pdf_samples import small_pdf


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
    clean = clean_upload(upload("letter.pdf", small_pdf()))
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


# --- pictures too large to decode -----------------------------------------------------------

def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def grey_png(width: int, height: int) -> bytes:
    """A real PNG of one shade of grey, made row by row without holding its pixels: 12000 x
    12000 comes to about 140 KB, as in the attack it stands for."""
    packer, row = zlib.compressobj(9), bytes(width + 1)  # each row: filter type 0, black
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def png_claiming(width: int, height: int, frames: int | None = None) -> bytes:
    """A PNG whose header claims `width` x `height` (and `frames` animation frames, besides
    its still picture) over a few bytes that are not pixels at all: refused for its size, not
    found broken, it shows that nothing was decoded."""
    animation = png_chunk(b"acTL", struct.pack(">II", frames, 0)) if frames else b""
    return (b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + animation + png_chunk(b"IDAT", b"not pixels") + png_chunk(b"IEND", b""))


def refusal_of(data: bytes, name="picture.png") -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        clean_upload(upload(name, data))
    return refused.value


def test_a_picture_of_39_megapixels_is_accepted():
    clean = clean_upload(upload("scan.png", grey_png(7800, 5000)))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (7800, 5000)


def test_a_picture_of_41_megapixels_is_refused_with_the_limit_before_it_is_decoded():
    refused = refusal_of(png_claiming(8200, 5000))
    assert refused.code == "pixels"
    with translation.override("en"):
        assert refused.messages == [
            "A picture is larger than 40 megapixels. Attach a smaller copy of it."]


@pytest.mark.parametrize(("width", "height"), [
    (12000, 12000),  # past Pillow's warning (89 megapixels), short of its error
    (100_000, 100_000),  # past its error
    (2**31 - 1, 2**31 - 1),
])
def test_a_header_claiming_a_huge_picture_is_refused_for_its_size(width, height):
    assert refusal_of(png_claiming(width, height)).code == "pixels"


def jpeg_claiming(width: int, height: int, progressive=False) -> bytes:
    """A small JPEG whose frame header is rewritten to claim `width` x `height`."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="JPEG", progressive=progressive)
    small = out.getvalue()
    start = small.index(b"\xff\xc2" if progressive else b"\xff\xc0")  # ... height, width
    return small[:start + 5] + struct.pack(">HH", height, width) + small[start + 9:]


def test_a_jpeg_claiming_too_many_pixels_is_refused_too():
    assert refusal_of(jpeg_claiming(9000, 9000), "photo.jpg").code == "pixels"


def test_a_progressive_jpeg_may_have_half_as_many_pixels():
    """libjpeg keeps all of a progressive picture's coefficients besides its pixels."""
    assert clean_upload(upload("photo.jpg", jpeg_claiming(5000, 4002))).data
    refused = refusal_of(jpeg_claiming(5000, 4002, progressive=True), "photo.jpg")
    assert refused.code == "pixels"
    with translation.override("en"):
        assert "larger than 20 megapixels" in refused.messages[0]
    small = io.BytesIO()
    Image.new("RGB", (40, 30)).save(small, format="JPEG", progressive=True)
    assert clean_upload(upload("photo.jpg", small.getvalue())).content_type == "image/jpeg"


def test_pillows_bomb_warning_is_a_refusal_even_where_warnings_are_ignored(monkeypatch):
    # Pillow warns from MAX_IMAGE_PIXELS and refuses from twice that; 40 x 30 lies between.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert refusal_of(jpeg_with_gps(), "photo.jpg").code == "pixels"


def test_the_frames_of_an_animated_picture_count_together():
    # 25 megapixels pass the count, and only then are found not to be pixels at all...
    assert refusal_of(png_claiming(5000, 5000)).code == "broken"
    # ...but with one animation frame besides the still picture, they are 50.
    assert refusal_of(png_claiming(5000, 5000, frames=1)).code == "pixels"
    assert refusal_of(png_claiming(100, 100, frames=2**31)).code == "pixels"


def test_a_small_animated_picture_is_kept_as_its_first_frame():
    frames = [Image.new("RGB", (20, 10), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:], duration=100)
    clean = clean_upload(upload("moving.png", out.getvalue()))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert getattr(image, "n_frames", 1) == 1
        assert image.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def test_pictures_are_decoded_one_at_a_time(monkeypatch):
    inside = most = 0
    rebuild = uploads._rebuilt

    def watched(image, content_type):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        time.sleep(0.02)  # long enough for the other threads to try to come in
        inside -= 1
        return rebuild(image, content_type)

    monkeypatch.setattr(uploads, "_rebuilt", watched)
    with ThreadPoolExecutor(max_workers=4) as pool:
        cleaned = list(pool.map(lambda _: clean_upload(upload("p.png", png_with_text())),
                                range(8)))
    assert len(cleaned) == 8
    assert most == 1


def test_a_rebuilt_picture_keeps_its_transparency():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(out, format="PNG", transparency=(0, 0, 0))
    clean = clean_upload(upload("clear.png", out.getvalue()))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0
