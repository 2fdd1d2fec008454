"""The outbox for things other than referrals.

A referral is routing's own subject. Another app that must send a document to an agency
through the same channels (reporting, with its monthly reports) registers a `Subject` here
and calls `enqueue` in the transaction that decides to send; routing delivers it exactly as
it delivers a referral (lease, tries, back-off, dead letter) and calls the subject back with
the outcome, so that routing never imports the app that uses it.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from routing.models import Agency, Outbox
from vault.files import delete_encrypted, save_encrypted
from vault.models import DataKey


@dataclass(frozen=True)
class Subject:
    """How routing talks about, and reports back on, one kind of outbox entry.

    `email_subject(outbox)` is the subject line (and body) of the email that carries it;
    `delivered(outbox, now)` and `dead(outbox, detail, permanent)` are called inside the
    transaction that records the outcome, with the outbox row locked.
    """

    kind: str
    email_subject: Callable[[Outbox], str]
    delivered: Callable[[Outbox, object], None]
    dead: Callable[[Outbox, str, bool], None]


_subjects: dict[str, Subject] = {}


def register(subject: Subject) -> None:
    _subjects[subject.kind] = subject


def subject_for(outbox: Outbox) -> Subject | None:
    return _subjects.get(outbox.subject_kind)


def reference_of(outbox: Outbox) -> str:
    """The number of what an outbox row carries: a referral's, or the subject's own."""
    return outbox.referral.reference if outbox.referral_id else outbox.subject_reference


def package_context(reference: str) -> str:
    """The context a package is sealed under on disk (see vault.files)."""
    return f"routing.package|{reference}"


def enqueue(*, kind: str, subject_id: int, reference: str, agency: Agency,
            data_key: DataKey, data: bytes) -> Outbox:
    """Seal `data` to disk and write the outbox row that delivers it to `agency`, in the
    caller's transaction; delivery is queued after commit. A letter waits for a person to
    post it (State.MANUAL). The caller removes the sealed file (`outbox.package_name`,
    vault.files.delete_encrypted) if its transaction fails after this returns."""
    if kind not in _subjects:
        raise ValueError(f"outbox subject {kind!r} is not registered")
    stored = save_encrypted(io.BytesIO(data), data_key=data_key,
                            context=package_context(reference))
    letter = agency.delivery == Agency.Delivery.LETTER
    try:
        outbox = Outbox.objects.create(
            subject_kind=kind, subject_id=subject_id, subject_reference=reference,
            agency=agency, delivery=agency.delivery, data_key=data_key,
            package_name=stored.name, package_sha256=stored.sha256, package_size=stored.size,
            state=Outbox.State.MANUAL if letter else Outbox.State.PENDING,
        )
    except Exception:
        delete_encrypted(stored.name)
        raise
    if not letter:
        outbox_id = outbox.pk
        transaction.on_commit(lambda: _queue(outbox_id))
    return outbox


def _queue(outbox_id: int) -> None:
    from routing.tasks import queue_delivery

    queue_delivery(outbox_id)
