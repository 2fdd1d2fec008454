"""A repeat caller is still recognised after the blind key is rotated: intake's phone index
is re-indexed from the number sealed in the reporter's details, and the old key can go."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from intake.models import Channel, Complaint, Kind
from intake.services import Content, staff_channel_log
from vault.blind import blind_candidates
from vault.keyring import Keyring, load_keyring, reload_keyring

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keyring_of_its_own(settings, tmp_path):
    """Rotating here must not change the keyring every other test uses."""
    settings.KEYRING_PATH = tmp_path / "keys" / "keyring.json"
    settings.MEDIA_ROOT = tmp_path / "media"
    Keyring.generate().save(settings.KEYRING_PATH)
    reload_keyring()
    yield
    reload_keyring()


def earlier_from(unit, typed_number) -> int:
    return (Complaint.objects.for_unit(unit)
            .filter(reporter_phone_index__in=blind_candidates("phone", typed_number)).count())


def test_a_repeat_callers_number_is_found_after_the_blind_key_is_rotated_and_removed(
    personas, units
):
    for body in ("Гэрчилгээ олгохдоо мөнгө нэхсэн.", "Дахин утасдаж байна."):
        staff_channel_log(
            unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
            received_at=timezone.now(), logged_by=personas["clerk"],
            content=Content(body=body, reporter={"phone": "+97699112233"}),
        )
    assert earlier_from(units["DG"], "9911-2233") == 2

    out = io.StringIO()
    call_command("keys", "rotate", "--purpose", "blind", stdout=out)
    assert "Re-indexed 2 blind indexes under blind key version 2" in out.getvalue()
    call_command("keys", "remove", "--purpose", "blind", "--version", "1", stdout=out)

    reload_keyring()
    assert load_keyring().versions("blind") == [2]
    assert earlier_from(units["DG"], "9911-2233") == 2
    assert earlier_from(units["DG"], "8800-1122") == 0
