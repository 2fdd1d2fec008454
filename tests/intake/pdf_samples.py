"""PDFs for the upload tests: a plain one-page document, and one that carries a secret in
every place a PDF keeps metadata. Small (a few KB) and built in memory."""

import io

from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


def small_pdf(text: str = "Баримт", pages: int = 1) -> bytes:
    """A valid PDF whose page content keeps `text` (as a comment in the content stream,
    which a rewrite copies as it is)."""
    writer = PdfWriter()
    for _ in range(pages):
        page = writer.add_blank_page(200, 150)
        content = StreamObject()
        content.set_data(f"% {text}\n0 0 1 rg 20 20 60 40 re f\n".encode())
        page[NameObject("/Contents")] = writer._add_object(content)
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_with_exif(secret: str, side: int = 48) -> bytes:
    """A photo with `secret` in its EXIF; noisy, so that a larger side makes a larger file
    (240 pixels: about 40 KB)."""
    image = Image.merge("RGB", [Image.effect_noise((side, side), 60)] * 3)
    for x in range(side):  # a diagonal, so that a page drawn wrong would differ
        image.putpixel((x, x), (0, 0, 255))
    exif = Image.Exif()
    exif[0x013B] = secret.encode()  # Artist, as UTF-8 bytes (Pillow would mangle the text)
    exif[0x010F] = "CanaryCam"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _xmp(writer: PdfWriter, secret: str):
    stream = StreamObject()
    stream.set_data(('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org'
                     '/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                     f'<rdf:Description><dc:creator>{secret}</dc:creator></rdf:Description>'
                     '</rdf:RDF></x:xmpmeta>').encode())
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    return writer._add_object(stream)


def _comment(writer: PdfWriter, secret: str):
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (0, 0, 10, 10)]),
        NameObject("/T"): TextStringObject(secret),
        NameObject("/F"): NumberObject(2),  # hidden: a note's author, not a mark on the page
    }))


def pdf_with_secret_metadata(secret: str, side: int = 48) -> bytes:
    """One page with a line of text and a JPEG photo; `secret` is in the document's Author,
    Title, Subject and Creator, its XMP, the photo's XMP and EXIF, an attached file, a script
    run on opening and the author of a comment."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(200, 150))
    page.setAuthor(secret)
    page.setTitle(secret)
    page.setSubject(secret)
    page.setCreator(secret)
    page.drawImage(ImageReader(io.BytesIO(jpeg_with_exif(secret, side))), 20, 10, 128, 96)
    page.drawString(20, 125, "Complaint evidence")
    page.showPage()
    page.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    writer.root_object[NameObject("/Metadata")] = _xmp(writer, secret)
    first = writer.pages[0]
    for image in first["/Resources"]["/XObject"].values():
        image.get_object()[NameObject("/Metadata")] = _xmp(writer, secret)
    first[NameObject("/Annots")] = ArrayObject([_comment(writer, secret)])
    writer.add_attachment("note.txt", secret.encode())
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject(f"app.alert('{secret}');"),
    }))
    done = io.BytesIO()
    writer.write(done)
    return done.getvalue()
