"""Writing to the outbox and arming it again: what the apps that send documents call.

A row is written in the caller's transaction, with the decision to send; the delivery task
is queued only once that transaction has committed, with nothing in its payload but the
row's id (outbox.tasks), so nothing about a complaint ever sits in the task queue.
"""

import io

from django.db import transaction
from django.utils import timezone

from core.queue import enqueue
from outbox.models import Agency, Outbox
from outbox.subjects import is_registered
from vault.files import atomic_with_files, save_encrypted
from vault.models import DataKey


def package_context(reference: str) -> str:
    """The context a package is sealed under on disk (see vault.files). It names routing,
    where the outbox began: packages already on disk were sealed under it."""
    return f"routing.package|{reference}"


def queue_delivery(outbox_id: int) -> None:
    """One try at the row, by the worker; called after the writing transaction commits."""
    enqueue("outbox.tasks.deliver", outbox_id)


def outbox_enqueue(*, kind: str, subject_id: int, reference: str, agency: Agency,
                   data_key: DataKey, data: bytes) -> Outbox:
    """Seal `data` to disk and write the outbox row that delivers it to `agency`, in the
    caller's transaction; delivery is queued after commit. A letter waits for a person to
    post it (State.MANUAL). Inside vault.files.atomic_with_files (as every caller is), the
    sealed file is deleted if that transaction fails, here or later."""
    if not is_registered(kind):
        raise ValueError(f"outbox subject {kind!r} is not registered")
    letter = agency.delivery == Agency.Delivery.LETTER
    with atomic_with_files():
        stored = save_encrypted(io.BytesIO(data), data_key=data_key,
                                context=package_context(reference))
        outbox = Outbox.objects.create(
            subject_kind=kind, subject_id=subject_id, subject_reference=reference,
            agency=agency, delivery=agency.delivery, data_key=data_key,
            package_name=stored.name, package_sha256=stored.sha256, package_size=stored.size,
            state=Outbox.State.MANUAL if letter else Outbox.State.PENDING,
        )
    if not letter:
        outbox_id = outbox.pk
        transaction.on_commit(lambda: queue_delivery(outbox_id))
    return outbox


def outbox_retry(*, outbox: Outbox) -> None:
    """A row given up (State.DEAD) is due again with a fresh count of tries, under the same
    idempotency key; the caller holds its lock and checks that it may."""
    outbox.state, outbox.attempts = Outbox.State.PENDING, 0
    outbox.next_attempt_at, outbox.lease_until = timezone.now(), None
    outbox.save(update_fields=["state", "attempts", "next_attempt_at", "lease_until"])
    outbox_id = outbox.pk
    transaction.on_commit(lambda: queue_delivery(outbox_id))
