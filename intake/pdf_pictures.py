"""The JPEG pictures inside a PDF, without their metadata: EXIF (camera owner, GPS, date),
XMP, IPTC and comments are segments in the JPEG's header, before its compressed pixels. Only
the header is rewritten; the pixels are copied byte for byte, so the picture looks exactly
as it did.

A JPEG may be wrapped in other filters. Flate (zlib, in C) is undone within
MAX_PDF_STREAM_BYTES. ASCII85 (reportlab writes every JPEG so) is slow to decode in Python,
about 1 MB a second, so only its header is decoded and written again, and the rest of the
text is kept as it is: a file's cost stays near its size whatever its pictures.
"""

import base64
import zlib

MAX_PDF_STREAM_BYTES = 50 * 1024 * 1024
# A JPEG header longer than this (EXIF and all) is not a picture anyone took.
MAX_JPEG_HEADER_BYTES = 4 * 1024 * 1024

# APP1 (EXIF, XMP) to APP13 (Photoshop, IPTC), APP15 and comments. APP0 (JFIF) and APP14
# (Adobe: how the colours were transformed) change how the picture is decoded, so they stay.
METADATA_MARKERS = frozenset([*range(0xE1, 0xEE), 0xEF, 0xFE])
START_OF_SCAN = 0xDA
ASCII85_SPACES = b" \t\r\n\f\v\x00"


class Unreadable(Exception):
    """The picture is not a JPEG as it claims, or is wrapped in a way we do not undo."""


class TooLarge(Exception):
    """The picture would decompress beyond MAX_PDF_STREAM_BYTES."""


def _scan_start(data: bytes) -> int | None:
    """Where the compressed pixels begin (the start-of-scan marker), or None when `data`
    ends inside the header."""
    if data[:2] != b"\xff\xd8":
        raise Unreadable
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise Unreadable
        marker = data[at + 1]
        if marker == 0xFF:  # a fill byte before a marker
            at += 1
            continue
        if marker == START_OF_SCAN:
            return at
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:
            raise Unreadable
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2:
            raise Unreadable
        at += 2 + length
    return None


def _header_without_metadata(header: bytes) -> bytes:
    out, at = bytearray(header[:2]), 2
    while at < len(header):
        if header[at + 1] == 0xFF:
            at += 1
            continue
        end = at + 2 + int.from_bytes(header[at + 2 : at + 4], "big")
        if header[at + 1] not in METADATA_MARKERS:
            out += header[at:end]
        at = end
    return bytes(out)


def jpeg_without_metadata(data: bytes) -> bytes:
    scan = _scan_start(data)
    if scan is None:
        raise Unreadable
    return _header_without_metadata(data[:scan]) + data[scan:]


def _inflated(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_PDF_STREAM_BYTES)
    except zlib.error:
        raise Unreadable from None
    if inflater.unconsumed_tail:
        raise TooLarge
    return out


def _hex_decoded(data: bytes) -> bytes:
    digits = bytes(data).split(b">")[0].translate(None, ASCII85_SPACES)
    try:
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise Unreadable from None


def _ascii85_prefix(text: bytes, groups: int) -> tuple[int, int] | None:
    """Where the first `groups` groups of five characters (or 'z') start and end in the
    text, or None when the text ends first."""
    start = at = 2 if text.startswith(b"<~") else 0
    done = characters = 0
    while done < groups:
        if at >= len(text) or text[at] == ord("~"):
            return None
        character, at = text[at], at + 1
        if character in ASCII85_SPACES:
            continue
        if character == ord("z") and characters == 0:
            done += 1
        elif (characters := characters + 1) == 5:
            characters, done = 0, done + 1
    return start, at


def _ascii85_decoded(text: bytes) -> bytes:
    text = text.split(b"~>")[0].removeprefix(b"<~")
    try:
        return base64.a85decode(text, ignorechars=ASCII85_SPACES)
    except ValueError:
        raise Unreadable from None


def _ascii85_without_metadata(text: bytes) -> bytes:
    """The ASCII85 text of a JPEG with its header written again without metadata; the
    text of the pixels after it is kept. The new header is padded to whole four-byte groups
    with an empty comment segment, so that the kept text still lines up."""
    groups = 256  # 1 KB: most headers, EXIF and all, fit in the first or second try
    while (found := _ascii85_prefix(text, groups)) is not None:
        start, end = found
        decoded = _ascii85_decoded(text[start:end])
        scan = _scan_start(decoded)
        if scan is not None:
            header = _header_without_metadata(decoded[:scan])
            padding = -(len(header) + len(decoded) - scan) % 4
            if padding:
                header += b"\xff\xfe" + (2 + padding).to_bytes(2, "big") + bytes(padding)
            return base64.a85encode(header + decoded[scan:]) + text[end:]
        if groups * 4 >= MAX_JPEG_HEADER_BYTES:
            raise TooLarge
        groups *= 4
    # A picture small enough to be decoded whole.
    if len(text) > MAX_JPEG_HEADER_BYTES:
        raise Unreadable
    return base64.a85encode(jpeg_without_metadata(_ascii85_decoded(text))) + b"~>"


def jpeg_stream_without_metadata(data: bytes, wrappers: list[str]) -> tuple[bytes, bool]:
    """The stream's data without the JPEG's metadata, and whether it is now a plain JPEG
    (its wrappers undone) rather than in its wrappers still."""
    if wrappers in (["/ASCII85Decode"], ["/A85"]):
        return _ascii85_without_metadata(bytes(data)), False
    for name in wrappers:
        if name in ("/FlateDecode", "/Fl"):
            data = _inflated(data)
        elif name in ("/ASCIIHexDecode", "/AHx"):
            data = _hex_decoded(data)
        elif name in ("/ASCII85Decode", "/A85"):
            data = _ascii85_decoded(data)
        else:
            raise Unreadable
        if len(data) > MAX_PDF_STREAM_BYTES:
            raise TooLarge
    return jpeg_without_metadata(data), True
