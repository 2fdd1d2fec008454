"""The JPEG inside a PDF loses its EXIF and keeps every pixel, however it is wrapped."""

import base64
import io
import zlib

import pytest
from PIL import Image, ImageChops

from intake import pdf_pictures
from intake.pdf_pictures import TooLarge, Unreadable, jpeg_stream_without_metadata
from tests.intake.pdf_samples import jpeg_with_exif

SECRET = "Батболд Доржийн"


def pixels(jpeg: bytes) -> Image.Image:
    with Image.open(io.BytesIO(jpeg)) as image:
        assert not image.getexif()
        return image.convert("RGB")


def same_picture(before: bytes, after: bytes) -> bool:
    return ImageChops.difference(pixels(after), Image.open(io.BytesIO(before))).getbbox() is None


def test_a_plain_jpeg_loses_its_exif_and_keeps_its_compressed_pixels_byte_for_byte():
    jpeg = jpeg_with_exif(SECRET, 240)
    clean, plain = jpeg_stream_without_metadata(jpeg, [])
    assert plain and SECRET.encode() not in clean and b"Exif" not in clean
    assert jpeg.endswith(clean[clean.index(b"\xff\xda"):])
    assert same_picture(jpeg, clean)


def test_a_deflated_jpeg_is_unwrapped_and_kept_plain():
    jpeg = jpeg_with_exif(SECRET)
    clean, plain = jpeg_stream_without_metadata(zlib.compress(jpeg), ["/FlateDecode"])
    assert plain and SECRET.encode() not in clean and same_picture(jpeg, clean)


# A small picture is decoded whole; of a larger one only the header, which is then padded to
# whole four-byte groups (the four secrets' lengths need each of the four paddings).
@pytest.mark.parametrize(("side", "secret"), [(48, SECRET), *((240, "x" * n) for n in range(4))])
def test_an_ascii85_jpeg_stays_ascii85_without_its_exif(side, secret):
    jpeg = jpeg_with_exif(secret + SECRET, side)
    clean, plain = jpeg_stream_without_metadata(base64.a85encode(jpeg, adobe=True),
                                                ["/ASCII85Decode"])
    assert not plain and clean.endswith(b"~>")
    decoded = base64.a85decode(clean.removesuffix(b"~>"))
    assert SECRET.encode() not in decoded and b"Exif" not in decoded
    assert same_picture(jpeg, decoded)


def test_a_deflated_jpeg_beyond_the_stream_limit_is_refused(monkeypatch):
    monkeypatch.setattr(pdf_pictures, "MAX_PDF_STREAM_BYTES", 1000)
    with pytest.raises(TooLarge):
        jpeg_stream_without_metadata(zlib.compress(jpeg_with_exif(SECRET, 240)), ["/Fl"])


def test_a_jpeg_header_beyond_its_limit_is_refused_before_the_rest_is_decoded(monkeypatch):
    monkeypatch.setattr(pdf_pictures, "MAX_JPEG_HEADER_BYTES", 16 * 1024)
    huge_exif = b"\xff\xe1\xff\xff" + bytes(65533)
    jpeg = jpeg_with_exif(SECRET)
    bloated = jpeg[:2] + huge_exif * 2 + jpeg[2:]
    with pytest.raises(TooLarge):
        jpeg_stream_without_metadata(base64.a85encode(bloated), ["/A85"])


@pytest.mark.parametrize("data", [b"not a jpeg", b"\xff\xd8\xff\xe1\x00", b"\xff\xd8\xff\xd9"])
def test_something_that_is_not_a_jpeg_is_unreadable(data):
    with pytest.raises(Unreadable):
        jpeg_stream_without_metadata(data, [])
