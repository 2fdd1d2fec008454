"""Every message a form can give is in Mongolian on the Mongolian pages.

Django's own messages come from its Mongolian catalogue, which leaves some in English (the
"at most N characters" of every length check); core/django_messages.py puts those into
Shugel's. This test cleans bad values in every field of every form of Shugel's apps with
Mongolian active and refuses any message with an English word in it.
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "org", "vault", "audit", "intake", "routing", "notify", "reporting", "ops"]
# No Latin letters in these, so that a message that repeats the value is not taken for one
# in English.
BAD_VALUES = ["", " ", "ж" * 20_000, "ж" * 600, "9" * 48, "1" * 600, "-1", "0", "1.5",
              "99999999999999999999", "2026-13-45", "2026-02-30T25:61", "00:99", "+", "<>",
              "жж@", "ж@ж", "\x00"]
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def shugel_forms():
    for app in APPS:
        # An app's own forms and its rooms' (intake/case/forms.py, …).
        for path in sorted((ROOT / app).rglob("forms*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            module = importlib.import_module(dotted)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def messages_of(field) -> set[str]:
    found = set()
    for value in BAD_VALUES:
        try:
            field.clean(value)
        except ValidationError as error:
            found.update(str(message) for message in error.messages)
        except (AttributeError, TypeError):
            pass  # a choice whose options the form fills in when it is made
    return found


def test_the_forms_are_found():
    names = {cls.__name__ for cls in shugel_forms()}
    assert {"WebReportForm", "PhoneCallForm", "StaffLoginForm"} <= names


def test_no_form_message_is_left_in_english_on_the_mongolian_pages(personas):
    english = {}
    with translation.override("mn"):
        for form in shugel_forms():
            for name, field in form.base_fields.items():
                if isinstance(field, forms.FileField):
                    continue
                for message in messages_of(field):
                    if ENGLISH_WORD.search(message):
                        english.setdefault(message, f"{form.__name__}.{name}")
    assert english == {}


def test_a_phone_number_too_long_is_refused_in_mongolian_on_every_form():
    from intake.channels.forms_logged import PhoneCallForm
    from intake.public.forms import WebReportForm

    with translation.override("mn"):
        for field in (WebReportForm.base_fields["phone"],
                      PhoneCallForm.base_fields["caller_phone"]):
            with pytest.raises(ValidationError) as refused:
                field.clean("9911 2233 " * 4 + "99112233")
            assert not ENGLISH_WORD.search(" ".join(refused.value.messages))
