"""Attachments as they arrive: limited in size while they stream in, kept in memory only,
checked by their content rather than their name, and stripped of metadata.

Django would normally spill a large upload to a temporary file, which would put a
reporter's document on disk in plain text; Shugel's upload handler keeps every upload in
memory and stops reading as soon as a limit is passed.
"""

import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILE_BYTES = getattr(settings, "SHUGEL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_FILES = 5

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
    "too_many": _("Attach at most %(count)d files."),
}


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


def _strip_image_metadata(data: bytes, content_type: str) -> bytes:
    """Rebuilds the picture from its pixels alone, which drops EXIF (GPS, camera, owner), XMP,
    ICC profiles and comments. The photo is first turned the way the camera meant it, since
    the orientation tag goes too."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            mode = "RGB" if content_type == "image/jpeg" or upright.mode in ("RGB", "L", "CMYK",
                                                                             "I", "F") else "RGBA"
            converted = upright.convert(mode)
            clean = Image.frombytes(mode, converted.size, converted.tobytes())
            out = io.BytesIO()
            if content_type == "image/jpeg":
                clean.save(out, format="JPEG", quality=90)
            else:
                clean.save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(MESSAGES["broken"], code="broken")


def clean_upload(uploaded) -> CleanFile:
    """Checks one uploaded file and returns it ready to be sealed, or ValidationError."""
    if uploaded.size == 0:
        raise ValidationError(MESSAGES["empty"], code="empty")
    if uploaded.size > MAX_FILE_BYTES:
        raise ValidationError(MESSAGES["too_large"], code="too_large",
                              params={"limit": MAX_FILE_BYTES // 2**20})
    data = uploaded.read()
    found = _sniff(data[:16])
    if found is None:
        raise ValidationError(MESSAGES["type"], code="type")
    content_type, extension = found
    claimed = PurePath((uploaded.name or "").lower()).suffix
    if claimed and EXTENSIONS.get(claimed) not in (None, content_type):
        raise ValidationError(MESSAGES["lying"], code="lying")
    if claimed and claimed not in EXTENSIONS:
        raise ValidationError(MESSAGES["lying"], code="lying")
    if content_type.startswith("image/"):
        data = _strip_image_metadata(data, content_type)
    return CleanFile(data=data, filename=safe_filename(uploaded.name, extension),
                     content_type=content_type)
