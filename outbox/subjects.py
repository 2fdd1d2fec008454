"""What the outbox carries, registered by the apps that send it.

Every kind of document that goes to an agency (routing's referrals, reporting's monthly
reports, the audit trail's checkpoints) registers a `Subject` here, from its app's ready(),
and writes its rows with outbox.services.outbox_enqueue in the transaction that decides to
send. The outbox delivers each the same way (lease, tries, back-off, dead letter) and calls
the subject back with the outcome, so it never imports the apps that use it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from outbox.models import Outbox


@dataclass(frozen=True)
class Subject:
    """How the outbox talks about, and reports back on, one kind of outbox entry.

    `email_subject(outbox)` is the subject line (and body) of the email that carries it;
    `delivered(outbox, now)` and `dead(outbox, detail, permanent)` are called inside the
    transaction that records the outcome, with the outbox row locked and already saved.
    `lock(outbox)`, if given, is called first in that transaction, before the outbox row is
    locked: a subject whose own workflows lock their record and then its outbox row (a
    referral) takes its locks in the same order here, so the two cannot deadlock.
    """

    kind: str
    email_subject: Callable[[Outbox], str]
    delivered: Callable[[Outbox, datetime], None]
    dead: Callable[[Outbox, str, bool], None]
    lock: Callable[[Outbox], None] | None = None


_subjects: dict[str, Subject] = {}


def register(subject: Subject) -> None:
    _subjects[subject.kind] = subject


def is_registered(kind: str) -> bool:
    return kind in _subjects


def subject_for(outbox: Outbox) -> Subject | None:
    return _subjects.get(outbox.subject_kind)
