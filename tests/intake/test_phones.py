import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from intake.phones import display_phone, normalise_phone

VALID = [
    ("99112233", "+97699112233"),
    ("9911-2233", "+97699112233"),
    ("99 11 22 33", "+97699112233"),
    (" 9911 2233 ", "+97699112233"),
    ("+976 9911 2233", "+97699112233"),
    ("976-99112233", "+97699112233"),
    ("00976 99112233", "+97699112233"),
    ("+97699112233", "+97699112233"),
    ("7052-2200", "+97670522200"),
    ("(7052) 2200", "+97670522200"),
    ("88001234", "+97688001234"),
    ("80112233", "+97680112233"),
    ("+976 11 32 1234", "+97611321234"),
    ("９９１１２２３３", "+97699112233"),  # full-width digits from a phone keyboard
    ("+1 650 253 0000", "+16502530000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("0086 138 0013 8000", "+8613800138000"),
    ("+7 913 123-45-67", "+79131234567"),
    ("+82 10-1234-5678", "+821012345678"),
]

INVALID = [
    ("", "empty"),
    ("   ", "empty"),
    ("1234", "invalid"),
    ("9911223", "invalid"),
    ("991122334455", "invalid"),
    ("+976 1234", "invalid"),
    ("99112233 ext 12", "extension"),
    ("7052-2200 дотуур 105", "extension"),
    ("70522200#105", "extension"),
    ("99112233, 88001234", "extension"),
    ("утас 99112233", "text"),
    ("Болд 99112233", "text"),
    ("call me", "text"),
    ("99112233!", "characters"),
    ("<script>99112233</script>", "text"),
    ("9" * 40, "too_long"),
    ("+", "invalid"),
    ("--", "invalid"),
]


@pytest.mark.parametrize(("raw", "e164"), VALID)
def test_real_world_formats_are_normalised_to_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(("raw", "code"), INVALID)
def test_bad_numbers_get_a_specific_refusal(raw, code):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(raw)
    assert refused.value.code == code


def test_refusals_are_translated():
    with translation.override("mn"):
        with pytest.raises(ValidationError) as refused:
            normalise_phone("99112233 ext 12")
        message = str(refused.value.messages[0])
    assert message != "Enter the number without an extension; note the extension in the summary."
    assert "дугаар" in message


def test_stored_numbers_read_back_in_the_usual_format():
    assert display_phone("+97699112233") == "9911 2233"
    assert display_phone("+16502530000") == "+1 650-253-0000"
