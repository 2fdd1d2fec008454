"""Checkpoints: the chain head signed with Ed25519, stored, and exported as a file."""

import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.utils import translation
from django_q.models import Schedule

from audit import checkpoints
from audit.models import ChainHead, Checkpoint
from audit.services import SYSTEM, make_checkpoint, record
from audit.tasks import checkpoint as scheduled_checkpoint
from tests.audit.conftest import verify_audit
from vault.keyring import load_keyring

pytestmark = pytest.mark.django_db


def problem_of(checkpoint: Checkpoint, **changes) -> str | None:
    with translation.override("en"):
        return anchor_of(checkpoint, **changes).problem()


def anchor_of(checkpoint: Checkpoint, **changes) -> checkpoints.Anchor:
    fields = {name: getattr(checkpoint, name) for name in checkpoints.FIELDS}
    return checkpoints.Anchor(**{**fields, **changes}, source="test")


@pytest.fixture
def three_events(units):
    for number in range(3):
        record(actor=SYSTEM, action="test.step", target=units["DG"], details={"n": number})


def test_a_checkpoint_signs_the_chain_head(three_events):
    checkpoint = make_checkpoint()
    head = ChainHead.objects.get()
    assert (checkpoint.seq, checkpoint.head_mac) == (3, head.mac)
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.public_key))
    public.verify(  # raises when the signature is bad
        bytes.fromhex(checkpoint.signature),
        checkpoints.signed_message(3, head.mac, checkpoint.made_at, checkpoint.sign_key_version),
    )
    assert anchor_of(checkpoint).problem() is None


@pytest.mark.parametrize(
    "changes",
    [
        {"seq": 4},
        {"head_mac": "0" * 64},
        {"made_at": "2020-01-01T00:00:00.000000Z"},
        {"signature": "00" * 64},
        {"signature": "not hex"},
    ],
)
def test_a_checkpoint_that_does_not_match_its_signature_is_bad(three_events, changes):
    assert "signature" in problem_of(make_checkpoint(), **changes)


def test_a_checkpoint_signed_by_another_key_is_bad(three_events, use_keyring):
    checkpoint = make_checkpoint()
    other = load_keyring()
    other.purposes["sign"] = {"active": 1, "keys": {}}
    other.add_version("sign")
    use_keyring(other)
    assert "public key" in problem_of(checkpoint)


def test_a_checkpoint_with_an_unknown_signing_key_version_is_bad(three_events):
    assert "lacks" in problem_of(make_checkpoint(), sign_key_version=9)


def test_the_checkpoint_file_is_written_outside_the_database(three_events, settings):
    checkpoint = make_checkpoint()
    path = settings.DATA_DIR / "checkpoints" / checkpoint.file_name
    document = json.loads(path.read_text())
    assert document == {
        "format": "shugel-audit-checkpoint-1",
        "seq": 3,
        "head_mac": checkpoint.head_mac,
        "made_at": checkpoint.made_at,
        "sign_key_version": checkpoint.sign_key_version,
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
    }
    assert checkpoint.file_name.startswith("checkpoint-000000000003-")
    assert checkpoints.read_file(path).problem() is None


def test_a_checkpoint_of_an_empty_chain_is_valid(db):
    checkpoint = make_checkpoint()
    assert checkpoint.seq == 0
    assert verify_audit()[0] == 0


def test_the_command_makes_a_checkpoint_on_demand(three_events, settings):
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    checkpoint = Checkpoint.objects.get()
    assert "event 3" in out.getvalue()
    assert checkpoint.file_name in out.getvalue()
    assert (settings.DATA_DIR / "checkpoints" / checkpoint.file_name).exists()


def test_the_command_prints_in_english_unless_told_otherwise(three_events):
    out = io.StringIO()
    with translation.override("mn"):
        call_command("audit_checkpoint", stdout=out)
    assert out.getvalue().startswith("Checkpoint of event 3 signed with key version 1;")


def test_the_schedule_checkpoints_only_when_events_were_added(three_events):
    assert "event 3" in scheduled_checkpoint()
    assert "no new events" in scheduled_checkpoint()
    record(actor=SYSTEM, action="test.step")
    assert "event 4" in scheduled_checkpoint()
    assert list(Checkpoint.objects.values_list("seq", flat=True)) == [4, 3]


def test_the_checkpoint_schedule_is_registered_after_migrate(db):
    schedule = Schedule.objects.get(name="audit checkpoint")
    assert schedule.func == "audit.tasks.checkpoint"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 1)
    assert schedule.repeats == -1


def test_verification_checks_every_checkpoint(three_events):
    make_checkpoint()
    record(actor=SYSTEM, action="test.step")
    make_checkpoint()
    status, output = verify_audit()
    assert status == 0
    assert "2 checkpoints verified" in output


def test_verification_reads_checkpoint_files_from_another_folder(three_events, tmp_path):
    checkpoint = make_checkpoint()
    copy = tmp_path / "from-the-monthly-report"
    copy.mkdir()
    source = checkpoints.export_dir() / checkpoint.file_name
    forged = json.loads(source.read_text()) | {"head_mac": "b" * 64}
    (copy / checkpoint.file_name).write_text(json.dumps(forged))
    assert verify_audit()[0] == 0
    status, output = verify_audit("--checkpoints", str(copy))
    assert status == 1
    assert "damage: bad_checkpoint" in output


def test_a_checkpoint_that_cannot_be_exported_is_not_stored(three_events, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.DATA_DIR = blocker
    with pytest.raises(OSError):
        make_checkpoint()
    assert not Checkpoint.objects.exists()
