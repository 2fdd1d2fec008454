"""Phone numbers as callers give them, turned into E.164 (+97699112233) or a clear refusal.

Mongolian numbers are the default (region MN); foreign numbers are welcome with their
country code. Anything around the number (a name, "ext. 12", a note) is refused with a
message that says what to change, rather than silently dropped: the clerk must know
exactly which number was recorded.
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "MN"
MAX_LENGTH = 32

_LETTER = re.compile(r"[^\W\d_]")
_EXTENSION = re.compile(r"(ext|доп|нэмэлт|дотуур|[#,;]|\bx\s*\d)", re.IGNORECASE)
_ALLOWED = re.compile(r"^[\d\s+\-().\u2010-\u2015/]+$")

MESSAGES = {
    "empty": _("Enter a phone number."),
    "too_long": _("That is too long for a phone number."),
    "extension": _("Enter the number without an extension; note the extension in the summary."),
    "text": _("Enter only the phone number, without words around it."),
    "characters": _("Use only digits, spaces, + and dashes in a phone number."),
    "invalid": _("This is not a valid phone number. Mongolian numbers have 8 digits; "
                 "foreign numbers start with + and the country code."),
}


def _refuse(code: str):
    raise ValidationError(MESSAGES[code], code=code)


def _parse(text: str):
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise_phone(raw: str) -> str:
    """The number in E.164, or ValidationError with a translated, specific message."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        _refuse("empty")
    if len(text) > MAX_LENGTH:
        _refuse("too_long")
    if _EXTENSION.search(text):
        _refuse("extension")
    if _LETTER.search(text):
        _refuse("text")
    if not _ALLOWED.match(text):
        _refuse("characters")
    number = _parse(text)
    if number is None:
        digits = re.sub(r"\D", "", text)
        # Many people write the international prefix as 00 (00976 …, 0086 …).
        if digits.startswith("00"):
            number = _parse("+" + digits[2:])
    if number is None or number.extension:
        _refuse("invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """How staff read a stored number back: national format for Mongolia, else international."""
    number = phonenumbers.parse(e164, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
