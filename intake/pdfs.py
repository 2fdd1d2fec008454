"""A PDF as it arrives, written again with nothing in it but its pages.

A PDF carries more than it shows: its document information (Author, Creator, Producer,
dates), XMP metadata on the catalogue and on any page, picture or font, attached files,
scripts that run on opening, the author of each comment, thumbnails, and inside each JPEG
picture the camera's EXIF (owner, GPS). A reporter's name in "Author" undoes anonymity, so
every uploaded PDF is copied page by page into a new file and what is not part of a page's
look is left behind. The pages' content streams, fonts and pictures are copied as they are
(a JPEG loses only its metadata segments, its compressed pixels are untouched), so every
page renders exactly as before.

An outsider decides how much work a PDF costs, so it is bounded before and during the copy:
pages, objects, and the bytes of any stream this module decompresses itself (docs/intake.md,
"Attachments"). A PDF beyond them, protected by a password, or that cannot be read is
refused with a reason; nothing of it is kept.
"""

import io
import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    StreamObject,
)

from intake import pdf_pictures as pictures
from intake.pdf_pictures import jpeg_stream_without_metadata

MAX_PDF_PAGES = 300
MAX_PDF_OBJECTS = 5_000

MESSAGES = {
    "pdf_broken": _("A PDF document could not be read. Save it again as PDF and attach "
                    "the new copy."),
    "pdf_password": _("A PDF document is protected by a password. Attach a copy without "
                      "the password."),
    "pdf_pages": _("A PDF document has more than %(limit)d pages. Attach only the pages "
                   "that matter."),
    "pdf_objects": _("A PDF document is too complex to be checked. Print it to a new PDF "
                     "and attach that."),
}

# Keys that never change how a page looks: metadata, private application data, thumbnails,
# actions run on opening or closing, attached files and scripts.
DROPPED_KEYS = frozenset({
    "/Metadata", "/PieceInfo", "/LastModified", "/Thumb", "/AA", "/EmbeddedFiles",
    "/JavaScript", "/JS", "/AF", "/CreationDate", "/ModDate",
})
# Objects that are metadata or files whatever key reaches them.
EMPTIED_TYPES = frozenset({"/Metadata", "/EmbeddedFile", "/Filespec"})
# Annotations that carry a file or a player rather than a mark on the page.
DROPPED_ANNOTATIONS = frozenset({
    "/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D",
})
# Actions that run code, open other files or send data away; a link to a page or a web
# address stays.
DROPPED_ACTIONS = frozenset({
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
    "/Rendition", "/RichMediaExecute",
})

logger = logging.getLogger(__name__)
# pypdf warns about each oddity it repairs, quoting the bytes around it: a log is no place
# for a reporter's document.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def refusal(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


class _Budget:
    """Counts the objects visited, so that a file of millions of tiny objects is refused
    rather than walked."""

    def __init__(self):
        self.objects = 0

    def spend(self) -> None:
        self.objects += 1
        if self.objects > MAX_PDF_OBJECTS:
            raise refusal("pdf_objects")


def _filters(stream: StreamObject) -> list[str]:
    found = stream.get("/Filter")
    found = found.get_object() if found is not None else None
    if found is None:
        return []
    if isinstance(found, ArrayObject):
        return [str(name.get_object()) for name in found]
    return [str(found)]


def _has_parameters(stream: StreamObject) -> bool:
    found = stream.get("/DecodeParms")
    found = found.get_object() if found is not None else None
    if isinstance(found, ArrayObject):
        return any(not isinstance(item.get_object(), NullObject) for item in found)
    return found is not None and not isinstance(found, NullObject)


def _strip_jpeg(stream: StreamObject) -> None:
    """Rewrites a JPEG picture's stream without its EXIF (intake/pdf_pictures.py)."""
    filters = _filters(stream)
    if "/DCTDecode" not in filters:
        return
    wrappers = filters[:-1]
    if filters[-1] != "/DCTDecode" or _has_parameters(stream) and wrappers:
        raise refusal("pdf_broken")  # a rarer chain of filters: not worth a decoder of our own
    try:
        stream._data, plain = jpeg_stream_without_metadata(stream._data, wrappers)
    except pictures.TooLarge:
        raise refusal("pdf_objects") from None
    except pictures.Unreadable:
        raise refusal("pdf_broken") from None
    if plain and wrappers:
        stream[NameObject("/Filter")] = NameObject("/DCTDecode")
        stream.pop("/DecodeParms", None)


def _action_is_dropped(action) -> bool:
    action = action.get_object() if action is not None else None
    return isinstance(action, DictionaryObject) and action.get("/S") in DROPPED_ACTIONS


def _clean_annotations(annotations: ArrayObject) -> None:
    for index in reversed(range(len(annotations))):
        annotation = annotations[index].get_object()
        if not isinstance(annotation, DictionaryObject):
            continue
        if annotation.get("/Subtype") in DROPPED_ANNOTATIONS:
            del annotations[index]
            continue
        if _action_is_dropped(annotation.get("/A")):
            del annotation["/A"]
        if annotation.get("/Subtype") != "/Widget":
            # A comment's author and the time it was written; a form field's /T is its name.
            for key in ("/T", "/M"):
                annotation.pop(key, None)


def _clean_dictionary(found: DictionaryObject) -> None:
    if found.get("/Type") in EMPTIED_TYPES or found.get("/Subtype") == "/XML":
        # Metadata or a file reached under some other key than the usual one: kept as an
        # empty object, so that what points at it still points at something.
        found.clear()
        if isinstance(found, StreamObject):
            found._data = b""
        return
    for key in DROPPED_KEYS.intersection(found.keys()):
        del found[key]
    if "/S" in found:  # an action: one that follows it could be any of DROPPED_ACTIONS
        found.pop("/Next", None)
    annotations = found.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else None
    if isinstance(annotations, ArrayObject):
        _clean_annotations(annotations)
    if isinstance(found, StreamObject) and found.get("/Subtype") == "/Image":
        _strip_jpeg(found)


def _clean_reachable(start, budget: _Budget) -> None:
    """Cleans every object a page reaches, in place in the reader, before the page is
    copied: what is cut off here is then never copied into the new file. The walk does not
    climb to /Parent, so it stays within the page and what it uses."""
    seen: set[int] = set()
    pending = [start]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            budget.spend()
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            _clean_dictionary(item)
            pending.extend(value for key, value in item.items() if key not in ("/Parent", "/P"))
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _opened(data: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise refusal("pdf_password")
    size = reader.trailer.get("/Size", 0)
    if not isinstance(size, int) or max(size, len(reader.xref_objStm)) > MAX_PDF_OBJECTS:
        raise refusal("pdf_objects")
    return reader


def _copied(reader: PdfReader) -> bytes:
    budget = _Budget()
    pages = reader.pages
    if len(pages) > MAX_PDF_PAGES:
        raise refusal("pdf_pages", limit=MAX_PDF_PAGES)
    if len(pages) == 0:
        raise refusal("pdf_broken")
    writer = PdfWriter()
    for page in pages:
        _clean_reachable(page.indirect_reference or page, budget)
        writer.add_page(page)
    layers = reader.root_object.get("/OCProperties")
    if layers is not None:
        # Which layers show: without it a hidden layer could appear, or a shown one vanish.
        _clean_reachable(layers, budget)
        writer.root_object[NameObject("/OCProperties")] = layers.get_object().clone(writer)
    writer.metadata = None  # no document information, not even pypdf's own Producer
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def strip_pdf_metadata(data: bytes) -> bytes:
    """The PDF's pages in a new file without its metadata, or ValidationError."""
    try:
        return _copied(_opened(data))
    except ValidationError:
        raise
    except Exception as error:
        # Whatever a hostile or damaged file makes the parser raise is a refusal, never a
        # server error. The kind of error only is logged: its text may quote the document.
        logger.info("pdf_refused %s", type(error).__name__)
        raise refusal("pdf_broken") from None
