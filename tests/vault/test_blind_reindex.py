"""Re-keying blind indexes: `keys rotate --purpose blind` computes every index again under
the new blind key, in batches that survive an interruption, and then the old key can go
while every lookup still finds its record."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.vault.sealed_app.models import Complaint
from vault import reindex
from vault.blind import blind_candidates, blind_index
from vault.keyring import load_keyring, reload_keyring

pytestmark = pytest.mark.django_db

PHONES = ["99112233", "88001122", "95556677", "70112233", "99887766", "88776655", "91234567"]


def keys(*args) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def found(phone: str) -> list[str]:
    matches = Complaint.objects.filter(phone_index__in=blind_candidates("phone", phone))
    return list(matches.values_list("reference", flat=True))


@pytest.fixture
def callers(make_complaint):
    """One complaint per phone number, each indexed under blind key version 1."""
    for number, phone in enumerate(PHONES, start=1):
        make_complaint(reference=f"DG-2026-{number:04d}", reporter_phone=phone,
                       phone_index=blind_index("phone", phone),
                       reporter_name=f"Бат {number}",
                       name_index=blind_index("name", f"Бат {number}"))
    return {phone: f"DG-2026-{number:04d}" for number, phone in enumerate(PHONES, start=1)}


class Interrupted(Exception):
    pass


def stop_after_first_batch(monkeypatch):
    """As if the process were killed once the first batch had committed."""
    original = reindex.reindex_blind

    def killed(total, done):
        raise Interrupted

    def interrupted(*, batch_size, progress=None):
        return original(batch_size=batch_size, progress=killed)

    monkeypatch.setattr("vault.management.commands.keys.reindex_blind", interrupted)


def test_an_interrupted_re_index_resumes_and_then_the_old_blind_key_can_go(
    callers, monkeypatch
):
    stop_after_first_batch(monkeypatch)
    with pytest.raises(Interrupted):
        keys("rotate", "--purpose", "blind", "--batch-size", "3")
    monkeypatch.undo()
    reload_keyring()
    assert load_keyring().versions("blind") == [1, 2]
    under_new = (Complaint.objects.filter(name_index__startswith="v2:").count()
                 + Complaint.objects.filter(phone_index__startswith="v2:").count())
    assert under_new == 3, "the first batch of three committed, nothing after it"
    assert reindex.indexes_needing_reindex() == 2 * len(PHONES) - 3
    # Half done: every lookup still finds its record, under either key.
    for phone, reference in callers.items():
        assert found(phone) == [reference]
    with pytest.raises(CommandError, match="still need blind key version 1"):
        keys("remove", "--purpose", "blind", "--version", "1")

    output = keys("rotate", "--purpose", "blind", "--batch-size", "3")
    assert "Resuming an unfinished re-index" in output
    assert "Re-indexed 11 blind indexes under blind key version 2" in output
    assert load_keyring().versions("blind") == [1, 2], "a resumed run adds no key"
    assert "Removed blind key version 1" in keys("remove", "--purpose", "blind", "--version", "1")

    reload_keyring()
    assert load_keyring().versions("blind") == [2]
    for phone, reference in callers.items():
        assert found(phone) == [reference]
    for number in range(1, len(PHONES) + 1):
        names = Complaint.objects.filter(name_index__in=blind_candidates("name", f"бат {number}"))
        assert names.count() == 1
    assert reindex.indexes_needing_reindex() == 0


def test_a_shredded_record_loses_its_index_instead_of_keeping_the_old_key_alive(
    make_complaint
):
    kept = make_complaint(reporter_phone="99112233", phone_index=blind_index("phone", "99112233"))
    gone = make_complaint(reporter_phone="88001122", phone_index=blind_index("phone", "88001122"))
    gone.shred()
    output = keys("rotate", "--purpose", "blind")
    assert "Re-indexed 1 blind indexes" in output and "1 of records that can no longer" in output
    keys("remove", "--purpose", "blind", "--version", "1")
    assert found("99112233") == [kept.reference]
    assert Complaint.objects.get(pk=gone.pk).phone_index is None
