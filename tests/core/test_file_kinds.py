"""core.templatetags.file_kinds: a file is named by its kind in the page's language."""

import re

from django.utils import translation

from core.templatetags.file_kinds import file_kind


def test_a_file_is_named_by_its_kind_not_its_media_type():
    with translation.override("mn"):
        words = re.findall(r"[A-Za-z]+", file_kind("application/pdf"))
    assert words == ["PDF"]
    with translation.override("en"):
        assert file_kind("image/jpeg") == "JPEG picture"
        assert file_kind("text/plain") == "text/plain"  # unknown: shown, never hidden
