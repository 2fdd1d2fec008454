"""The anti-corruption agency witnesses the audit trail: each minute the worker offers it the
newest checkpoint, and the outbox queues one to every agency with an API, at
most once an hour and only when the head has moved. The package is the checkpoint file's
own document, and nothing about any complaint."""

import json
from datetime import timedelta

import pytest
import time_machine

from audit import checkpoints, witnesses
from audit.services import SYSTEM, make_checkpoint, record
from audit.tasks import checkpoint as scheduled_checkpoint
from devtools.standin import AgencyStandIn
from outbox import witness
from outbox.models import Agency, Outbox
from outbox.senders import read_package
from outbox.tasks import deliver
from tests.intake.pages_case import NOW
from tests.routing.helpers import make_agency

pytestmark = pytest.mark.django_db

SECRET = "shared-secret-for-the-stand-in"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def agencies(units, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return {
        "api": make_agency("atg"),
        "letter": make_agency("police", delivery=Agency.Delivery.LETTER, default=False,
                              kind=Agency.Kind.POLICE),
    }


def witnessed() -> list[tuple[str, str]]:
    return list(Outbox.objects.filter(subject_kind=witness.KIND).order_by("pk")
                .values_list("agency__code", "subject_reference"))


def step(units, number: int) -> None:
    record(actor=SYSTEM, action="test.step", target=units["DG"], details={"n": number})


def test_the_outbox_registered_its_witness_with_the_audit_trail():
    assert witness.witness in witnesses._witnesses


def test_a_checkpoint_is_queued_to_the_api_agency_and_not_to_the_letter_agency(
        agencies, units, clock):
    step(units, 1)
    scheduled_checkpoint()
    assert witnessed() == [("atg", "audit-checkpoint-1")]
    row = Outbox.objects.get(subject_kind=witness.KIND)
    assert (row.state, row.delivery) == (Outbox.State.PENDING, Agency.Delivery.API)


def test_the_package_holds_the_checkpoint_file_and_nothing_else(agencies, units, clock):
    record(actor=SYSTEM, action="test.step", target=units["DG"],
           details={"category": "bribery"})
    made = make_checkpoint()
    witness.witness(made)
    row = Outbox.objects.get(subject_kind=witness.KIND)
    package = json.loads(read_package(row))
    on_disk = json.loads((checkpoints.export_dir() / made.file_name).read_text())
    assert package == {"format": "shugel.audit-checkpoint/1",
                       "checkpoint": "audit-checkpoint-1", "file": on_disk}
    assert checkpoints.Anchor(**{field: package["file"][field] for field in checkpoints.FIELDS},
                              source="agency").problem() is None
    assert "bribery" not in read_package(row).decode()


def test_the_agency_gets_at_most_one_checkpoint_an_hour_and_the_newest(agencies, units,
                                                                        clock):
    step(units, 1)
    scheduled_checkpoint()
    for minute in range(1, 60):
        clock.shift(timedelta(minutes=1))
        step(units, minute + 1)
        scheduled_checkpoint()
    assert witnessed() == [("atg", "audit-checkpoint-1")]
    clock.shift(timedelta(minutes=1))
    scheduled_checkpoint()  # nothing new this minute: the newest checkpoint is offered again
    assert witnessed() == [("atg", "audit-checkpoint-1"), ("atg", "audit-checkpoint-60")]


def test_a_checkpoint_already_witnessed_is_not_sent_again(agencies, units, clock):
    step(units, 1)
    scheduled_checkpoint()
    clock.shift(timedelta(hours=3))
    scheduled_checkpoint()
    assert witnessed() == [("atg", "audit-checkpoint-1")]


def test_a_failing_witness_leaves_the_checkpoint_and_the_other_witnesses_alone(
        agencies, units, clock, monkeypatch):
    def broken(checkpoint):
        raise RuntimeError("the agency's address book is on fire")

    monkeypatch.setattr(witnesses, "_witnesses", [broken, witness.witness])
    step(units, 1)
    assert "event 1" in scheduled_checkpoint()
    assert witnessed() == [("atg", "audit-checkpoint-1")]


def test_the_stand_in_agency_accepts_a_checkpoint(agencies, units):
    with AgencyStandIn(SECRET) as standin:
        agency = agencies["api"]
        agency.api_url, agency.api_secret = standin.url, SECRET
        agency.save()
        step(units, 1)
        witness.witness(make_checkpoint())
        row = Outbox.objects.get(subject_kind=witness.KIND)
        assert deliver(row.pk) == "delivered"
        held = standin.deliveries[str(row.key)]
    assert held.reference == "audit-checkpoint-1"
    row.refresh_from_db()
    assert row.state == Outbox.State.DELIVERED
