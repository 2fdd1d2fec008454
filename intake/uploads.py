"""Attachments as they arrive: limited in size while they stream in, kept in memory only,
checked by their content rather than their name, and stripped of metadata.

Django would normally spill a large upload to a temporary file, which would put a
reporter's document on disk in plain text; Shugel's upload handler keeps every upload in
memory and stops reading as soon as a limit is passed.

A picture's size on disk says nothing about its size in memory: a 140 KB PNG of one colour
can hold 144 million pixels. So a picture's pixels are counted from its header before any is
decoded, and pictures are decoded one at a time per process (docs/intake.md, "Attachments").
"""

import ctypes
import io
import logging
import threading
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from intake.pdfs import strip_pdf_metadata

MAX_FILE_BYTES = getattr(settings, "SHUGEL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_FILES = 5
# Every frame together. Above any phone's usual photo (12 to 24 megapixels) and a page
# scanned at 600 dpi (35); decoded, such a picture takes at most 160 MB (4 bytes a pixel).
MAX_PIXELS = getattr(settings, "SHUGEL_MAX_UPLOAD_PIXELS", 40_000_000)

# What is accepted, recognised by the file's first bytes, never by its name or the browser.
SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"%PDF-": ("application/pdf", ".pdf"),
}
EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
              ".pdf": "application/pdf"}

MESSAGES = {
    "too_large": _("A file is larger than %(limit)d MB."),
    "empty": _("A file is empty."),
    "type": _("Only photos (JPEG, PNG) and PDF documents can be attached."),
    "lying": _("A file's content does not match its name. Attach the original photo or PDF."),
    "broken": _("A picture could not be read. Attach it again or as a different file."),
    "pixels": _("A picture is larger than %(limit)d megapixels. Attach a smaller copy of it."),
    "too_many": _("Attach at most %(count)d files."),
    "office": _("Word and OpenDocument files (DOC, DOCX, ODT) are not accepted: they keep their "
                "author's name and editing history. Save the document as PDF and attach that."),
}
# Office documents are recognised to say why they are refused: a ZIP (DOCX, ODT) or an OLE
# compound file (DOC).
OFFICE_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
OFFICE_EXTENSIONS = (".doc", ".docx", ".odt", ".rtf")


class _NoPictureMetadata(logging.Filter):
    """Pillow logs every EXIF tag it reads, with its value (owner, camera, GPS position), at
    DEBUG level; those lines would put what is stripped from a photo into a log."""

    def filter(self, record):
        return record.levelno > logging.DEBUG


for _name in ("PIL.TiffImagePlugin", "PIL.PngImagePlugin"):
    logging.getLogger(_name).addFilter(_NoPictureMetadata())


class UploadTooLarge(StopUpload):
    pass


class LimitedMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps uploads in memory (never on disk) and stops at the per-file limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Always in memory, never a temporary file: each file is capped below, and views
        # refuse a request whose declared length exceeds request_too_large() first.
        self.activated = True

    def new_file(self, *args, **kwargs):
        # Before super(): the memory handler ends new_file() by raising StopFutureHandlers.
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_FILE_BYTES:
            self.request.upload_too_large = True
            raise UploadTooLarge(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def request_too_large(request) -> bool:
    """Whether the declared body is larger than every allowed file together; checked before
    the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_FILE_BYTES * MAX_FILES + 256 * 1024


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    filename: str
    content_type: str

    def open(self):
        return io.BytesIO(self.data)


def safe_filename(name: str, extension: str) -> str:
    """A display name without folders, control characters or path tricks."""
    name = unicodedata.normalize("NFC", name or "")
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = PurePath(name).stem[:80] or "file"
    return f"{stem}{extension}"


def _sniff(head: bytes):
    for signature, found in SIGNATURES.items():
        if head.startswith(signature):
            return found
    return None


PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
# The modes each format saves as they are, so that no converted copy of the pixels is made.
# A PNG's transparent colour is kept in its metadata, which goes: such a picture is made RGBA.
KEPT_MODES = {"image/jpeg": ("L", "RGB"),
              "image/png": ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")}

# One picture decoded at a time in each process: a request may carry MAX_FILES of them and
# several requests run at once, and each decoded picture may take MAX_PIXELS * 4 bytes.
_DECODING = threading.Lock()


def _too_many_pixels(limit: int = MAX_PIXELS) -> ValidationError:
    return ValidationError(MESSAGES["pixels"], code="pixels",
                           params={"limit": limit // 1_000_000})


def _counted_pixels(image: Image.Image) -> int:
    """The pixels the header promises, every frame together (an animated PNG or a JPEG with
    several pictures inside); read from the header alone, nothing is decoded yet."""
    width, height = image.size
    return width * height * max(1, getattr(image, "n_frames", 1))


def _pixel_limit(image: Image.Image) -> int:
    """MAX_PIXELS, or half of it for a progressive JPEG: libjpeg holds all of such a
    picture's coefficients as well as its pixels while it decodes (measured: 371 MB rather
    than 149 for 39 megapixels)."""
    return MAX_PIXELS // 2 if image.info.get("progressive") else MAX_PIXELS


def _save_mode(image: Image.Image, content_type: str) -> str:
    if content_type == "image/png" and "transparency" in image.info:
        return "RGBA"
    if image.mode in KEPT_MODES[content_type]:
        return image.mode
    if content_type == "image/jpeg" or image.mode in ("CMYK", "I", "I;16", "F"):
        return "RGB"
    return "RGBA"


def _rebuilt(image: Image.Image, content_type: str) -> bytes:
    """The first frame, upright, saved again with no metadata. Its pixels are decoded once
    and copied only to turn it or to change its mode, each copy released as soon as the
    next exists."""
    image.load()
    # The photo is first turned the way the camera meant it, since the orientation tag goes.
    ImageOps.exif_transpose(image, in_place=True)
    mode = _save_mode(image, content_type)
    if mode != image.mode:
        converted = image.convert(mode)
        image.close()
        image = converted
    # Without its info, the picture is saved with no EXIF (GPS, camera, owner), XMP, ICC
    # profile, text chunks or comments: Pillow writes only what it is given.
    image.info.clear()
    out = io.BytesIO()
    try:
        if content_type == "image/jpeg":
            image.save(out, format="JPEG", quality=90)
        else:
            image.save(out, format="PNG")
    finally:
        image.close()
    return out.getvalue()


def _strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """Rebuilds the picture from its pixels alone, or refuses it if it has more than
    MAX_PIXELS: counted from the header, before anything is decoded. Pillow's own bomb check
    refuses too, its warning as well as its error."""
    with _DECODING, warnings.catch_warnings():
        # Inside the lock: catch_warnings changes the process's filters while it runs.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]) as image:
                if _counted_pixels(image) > (limit := _pixel_limit(image)):
                    raise _too_many_pixels(limit)
                return _rebuilt(image, content_type)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise ValidationError(MESSAGES["broken"], code="broken") from None
        finally:
            _give_back_memory()


def _libc_malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim  # the C library this process already runs on
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


_MALLOC_TRIM = _libc_malloc_trim()


def _give_back_memory() -> None:
    """Measured: after a 39-megapixel picture glibc kept its 150 MB from the system until the
    next one, in every server process; trimming returns it at once."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def clean_upload(uploaded) -> CleanFile:
    """Checks one uploaded file and returns it ready to be sealed, or ValidationError."""
    if uploaded.size == 0:
        raise ValidationError(MESSAGES["empty"], code="empty")
    if uploaded.size > MAX_FILE_BYTES:
        raise ValidationError(MESSAGES["too_large"], code="too_large",
                              params={"limit": MAX_FILE_BYTES // 2**20})
    data = uploaded.read()
    found = _sniff(data[:16])
    claimed = PurePath((uploaded.name or "").lower()).suffix
    if found is None and (data.startswith(OFFICE_SIGNATURES) or claimed in OFFICE_EXTENSIONS):
        raise ValidationError(MESSAGES["office"], code="office")
    if found is None:
        raise ValidationError(MESSAGES["type"], code="type")
    content_type, extension = found
    if claimed and EXTENSIONS.get(claimed) not in (None, content_type):
        raise ValidationError(MESSAGES["lying"], code="lying")
    if claimed and claimed not in EXTENSIONS:
        raise ValidationError(MESSAGES["lying"], code="lying")
    if content_type.startswith("image/"):
        data = _strip_image_metadata(data, content_type)
    else:
        data = strip_pdf_metadata(data)
    return CleanFile(data=data, filename=safe_filename(uploaded.name, extension),
                     content_type=content_type)
