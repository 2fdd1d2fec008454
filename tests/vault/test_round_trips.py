"""Property-based: whatever text or JSON goes in comes back out, through the database, and
never appears in what is stored."""

import math

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.vault.conftest import reload, stored
from vault.crypto import seal, unseal

MONGOLIAN = "АБВГДЕЁЖЗИЙКЛМНОӨПРСТУҮФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмноөпрстуүфхцчшщъыьэюя"
letters = st.one_of(
    st.sampled_from(MONGOLIAN),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(categories=["Cc"]),  # control characters, NUL included
    st.characters(exclude_categories=["Cs"]),  # anything else that UTF-8 can hold
)
texts = st.text(alphabet=letters, max_size=300)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(texts, children, max_size=5),
    max_leaves=15,
)
through_the_database = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(text=texts)
@example(text="Ө ө Ү ү")
@example(text="😀👍🏽\u200d\x00\x07\x1b[31m\r\n\t")
def test_any_text_survives_sealing(text):
    key, aad = b"k" * 32, b"shugel:v1|x|y|z|w"
    assert unseal(key, seal(key, text.encode(), aad), aad).decode() == text


@pytest.mark.django_db
@through_the_database
@given(text=texts)
@example(text="Ө ө Ү ү")
@example(text="Гомдол 😀\x00\x1f\x7f\u2028 ")
def test_any_text_comes_back_from_an_encrypted_text_field(make_complaint, text):
    complaint = make_complaint(body=text, summary=text)
    fresh = reload(complaint)
    assert fresh.body.reveal() == text
    assert fresh.summary.reveal() == text
    if len(text.encode()) >= 4:
        assert text.encode() not in stored(complaint, "body")


def same_json(left, right):
    """Equality that also tells -0.0 and 0.0 and True and 1 apart, as JSON does."""
    if isinstance(left, float) and isinstance(right, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if type(left) is not type(right):
        return False
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same_json, left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    return left == right


@pytest.mark.django_db
@through_the_database
@given(value=json_values)
@example(value={"Өргөдөл": ["Ү ү", 1.5, None, True, {"😀": "\x00"}]})
def test_any_json_value_comes_back_from_an_encrypted_json_field(make_complaint, value):
    fresh = reload(make_complaint(details=value))
    if value is None:
        # None is SQL NULL: there is no value to seal.
        assert fresh.details is None
    else:
        assert same_json(fresh.details.reveal(), value)
