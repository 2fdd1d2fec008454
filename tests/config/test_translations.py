"""No Mongolian string ships untranslated or fuzzy, and the compiled catalogue matches."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["mn", "en"])
def test_catalogues_are_committed_compiled(language):
    assert (LOCALE / language / "LC_MESSAGES" / "django.po").exists()
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists()


def test_every_mongolian_string_is_translated_and_not_fuzzy():
    po = polib.pofile(str(LOCALE / "mn" / "LC_MESSAGES" / "django.po"))
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_mongolian_catalogue_is_up_to_date():
    po = polib.pofile(str(LOCALE / "mn" / "LC_MESSAGES" / "django.po"))
    with open(LOCALE / "mn" / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    def compiled_text(entry):
        if entry.msgctxt:
            return compiled.pgettext(entry.msgctxt, entry.msgid)
        return compiled.gettext(entry.msgid)

    stale = [
        e.msgid for e in po.translated_entries()
        if not e.msgid_plural and compiled_text(e) != e.msgstr
    ]
    assert stale == [], "run 'make messages' to recompile"


def test_placeholders_survive_translation():
    import re

    po = polib.pofile(str(LOCALE / "mn" / "LC_MESSAGES" / "django.po"))
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}|<[^>]+>")
    for entry in po.translated_entries():
        # A plural entry keeps its translations per form, in msgstr_plural.
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translated in forms:
            assert sorted(placeholder.findall(entry.msgid)) == sorted(
                placeholder.findall(translated)
            ), entry.msgid
