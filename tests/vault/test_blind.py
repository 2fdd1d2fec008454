"""Blind indexes: equal values (as a person sees them) find each other without plaintext,
also across a rotation of the blind key."""

import pytest
from django.utils import translation

from tests.vault.sealed_app.models import Complaint
from vault.blind import BlindIndexField, blind_candidates, blind_index, normalise
from vault.keyring import keyring, load_keyring, reload_keyring


@pytest.mark.parametrize(
    "typed", ["7052-2200", "70522200", "+976 7052 2200", "976-70522200", "(+976) 7052 22 00"]
)
def test_a_phone_number_is_indexed_in_e164_however_it_was_typed(typed):
    assert normalise("phone", typed) == "+97670522200"
    assert blind_index("phone", typed) == blind_index("phone", "+97670522200")


@pytest.mark.parametrize("typed", ["", "abc", "12", "+1 555"])
def test_what_is_not_a_phone_number_is_refused_with_a_message(typed):
    with translation.override("en"), pytest.raises(ValueError, match="not a phone number"):
        normalise("phone", typed)
    with translation.override("mn"), pytest.raises(ValueError, match="утасны дугаар биш"):
        normalise("phone", typed)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("ӨНӨРБАЯР", "өнөрбаяр"),
        ("Үүрцайх  Бат", "үүрцайх бат"),
        ("  Bat-Erdene\t", "bat-erdene"),
        ("Ｂａｔ", "bat"),  # full-width letters
        ("Straße", "STRASSE"),
        ("Ё\u0308", "ё\u0308"),
    ],
)
def test_names_that_differ_only_in_case_width_or_spacing_match(left, right):
    assert blind_index("name", left) == blind_index("name", right)


def test_different_names_and_kinds_do_not_match():
    assert blind_index("name", "Өнөр") != blind_index("name", "Онор")
    assert blind_index("name", "99112233") != blind_index("phone", "99112233")


def test_the_index_names_its_key_version_and_holds_no_plaintext():
    index = blind_index("phone", "99112233")
    version, digest = index.split(":")
    assert version == "v1" and len(digest) == 64
    assert "99112233" not in index


def test_the_index_depends_on_the_blind_key(keyring_file):
    before = blind_index("email", "Bat@Example.MN ")
    assert before == blind_index("email", "bat@example.mn")
    ring = load_keyring()
    ring.add_version("blind")
    ring.save(keyring_file)
    reload_keyring()
    after = blind_index("email", "bat@example.mn")
    assert after.startswith("v2:") and after != before


def test_a_blind_key_added_by_another_process_is_used_for_new_indexes(keyring_file):
    assert blind_index("name", "Бат").startswith("v1:")
    ring = load_keyring()
    ring.add_version("blind")
    ring.save(keyring_file)  # by another process: this one is not told
    assert blind_index("name", "Бат").startswith("v2:")
    assert len(blind_candidates("name", "Бат")) == 2


def test_lookups_still_find_records_indexed_before_a_blind_key_rotation(
    make_complaint, keyring_file
):
    old = make_complaint(reporter_phone="99112233", phone_index=blind_index("phone", "99112233"))
    ring = load_keyring()
    ring.add_version("blind")
    ring.save(keyring_file)
    reload_keyring()
    new = make_complaint(reporter_phone="99112233", phone_index=blind_index("phone", "9911-2233"))
    make_complaint(reporter_phone="88112233", phone_index=blind_index("phone", "88112233"))
    candidates = blind_candidates("phone", "+976 9911 2233")
    assert [c.split(":")[0] for c in candidates] == ["v2", "v1"]
    found = Complaint.objects.filter(phone_index__in=candidates)
    assert set(found) == {old, new}


def test_a_blind_index_field_says_what_it_indexes():
    field = Complaint._meta.get_field("phone_index")
    assert isinstance(field, BlindIndexField) and field.kind == "phone"
    assert field.db_index and not field.editable
    name, path, args, kwargs = field.deconstruct()
    assert kwargs == {"kind": "phone", "null": True}
    with pytest.raises(ValueError, match="unknown blind index kind"):
        BlindIndexField(kind="shoe size")


def test_blind_candidates_follow_the_keyring():
    assert len(blind_candidates("name", "Бат")) == len(keyring.versions("blind"))
