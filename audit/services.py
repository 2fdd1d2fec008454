"""Writing to the audit trail, checkpointing it and verifying it. Other apps use only this.

    from audit.services import SYSTEM, record, record_read

    with transaction.atomic():
        complaint.save()
        record(actor=request.user, action="complaint.classify", target=complaint,
               details={"category": complaint.category})

Call `record` inside the transaction that makes the change, as its last step: the event
commits with the change or not at all, and the chain head stays locked only until commit.
"""

import re
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, models, transaction

from audit import chain, checkpoints
from audit.damage import Damage
from audit.models import ActorKind, AuditEvent, ChainHead, Checkpoint
from audit.verification import VerificationResult, verify_chain
from org.models import Unit
from vault.keyring import keyring

__all__ = [
    "ANONYMOUS_REPORTER", "SYSTEM", "Damage", "VerificationResult", "checkpoint_if_moved",
    "latest_checkpoint", "make_checkpoint", "record", "record_read", "verify_chain",
]

READ_ACTION = "content.read"
ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
MAX_DETAILS = 4000

# Keys that would put someone's identity or a secret into a record meant for non-sensitive
# facts (see docs/audit.md). A tripwire for mistakes, not a guarantee.
FORBIDDEN_DETAIL_KEYS = {
    "ip", "ip_address", "remote_addr", "user_agent", "x_forwarded_for", "forwarded_for",
    "password", "receipt", "receipt_code", "secret", "token",
}


@dataclass(frozen=True)
class _Sentinel:
    kind: str

    def __repr__(self):
        return f"<audit actor {self.kind}>"


SYSTEM = _Sentinel(ActorKind.SYSTEM.value)
ANONYMOUS_REPORTER = _Sentinel(ActorKind.ANONYMOUS.value)


def _actor_fields(actor) -> tuple[str, int | None, str]:
    if isinstance(actor, _Sentinel):
        return actor.kind, None, ""
    if isinstance(actor, AbstractBaseUser) and actor.pk is not None:
        return ActorKind.STAFF.value, actor.pk, actor.get_username()
    raise TypeError(
        f"an audit actor is a saved staff user, SYSTEM or ANONYMOUS_REPORTER, not {actor!r}"
    )


def _check_text(name: str, value: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise TypeError(f"audit {name} must be text, not {type(value).__name__}")
    if len(value) > max_length:
        raise ValueError(f"audit {name} is longer than {max_length} characters")
    if chain.CONTROL_CHARACTERS.search(value):
        raise ValueError(f"audit {name} contains a control character")
    return value


def _check_details_keys(value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower().replace("-", "_") in FORBIDDEN_DETAIL_KEYS:
                raise ValueError(f"audit details must not carry {key!r}")
            _check_details_keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_details_keys(item)


def _details_text(details: dict | None) -> str:
    details = {} if details is None else details
    if not isinstance(details, dict):
        raise TypeError("audit details must be a dict")
    _check_details_keys(details)
    text = chain.canonical_json(details)  # TypeError for anything JSON cannot hold
    if len(text) > MAX_DETAILS:
        raise ValueError(f"audit details are longer than {MAX_DETAILS} characters")
    text.encode()  # a lone surrogate fails here rather than in the database
    return text


def _lock_head() -> ChainHead:
    """The chain head, locked until the transaction ends (on SQLite the IMMEDIATE
    transaction already holds the write lock). Re-created from the newest event if missing."""
    head = ChainHead.objects.select_for_update().filter(pk=ChainHead.ONLY).first()
    if head is None:
        seq, mac = AuditEvent.objects.order_by("-seq").values_list("seq", "mac").first() or (
            0, chain.GENESIS
        )
        try:
            with transaction.atomic():
                ChainHead.objects.create(pk=ChainHead.ONLY, seq=seq, mac=mac)
        except IntegrityError:
            pass  # another writer created it first; wait for its lock below
        head = ChainHead.objects.select_for_update().get(pk=ChainHead.ONLY)
    return head


def _new_event(actor, action, target, object_type, object_id, unit, details) -> AuditEvent:
    """The event's own fields, checked; its place in the chain comes later."""
    kind, user_id, label = _actor_fields(actor)
    if target is not None:
        if object_type or object_id:
            raise ValueError("give either a target or object_type and object_id, not both")
        if target.pk is None:
            raise ValueError("an audit target must be saved first")
        object_type, object_id = target._meta.label_lower, str(target.pk)
        if unit is None:
            unit = target if isinstance(target, Unit) else getattr(target, "unit", None)
    if not ACTION.match(action or "") or len(action) > 100:
        raise ValueError(f"audit action {action!r} must look like 'complaint.read'")
    if unit is not None and not isinstance(unit, Unit):
        raise TypeError("an audit unit must be a Unit")
    return AuditEvent(
        actor_kind=kind,
        actor_user_id=user_id,
        actor_label=_check_text("actor", label, 150),
        action=action,
        object_type=_check_text("object type", object_type, 100),
        object_id=_check_text("object id", str(object_id), 64),
        unit_id=unit.pk if unit is not None else None,
        details=_details_text(details),
    )


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    unit: Unit | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, in the caller's transaction.

    `actor` is a staff user, SYSTEM or ANONYMOUS_REPORTER (for whom nothing identifying is
    kept). `target` names the object (its model label and primary key); or give
    `object_type` and `object_id` by hand. `unit` defaults to the target's unit.

    `details` must be JSON-serialisable and hold only NON-SENSITIVE facts (a category, a
    status, field names, counts). Never put complaint text, names, phone numbers, receipt
    codes, addresses of any kind or other personal data here: the audit trail is kept
    forever and is not encrypted.

    Any failure, whether a bad argument, a missing audit key or a database error, marks the
    caller's whole transaction for rollback, so a change is never committed without its event.
    """
    # Without a savepoint, an error in here dooms the enclosing transaction even if the
    # caller catches it: the change cannot be committed without its event.
    with transaction.atomic(savepoint=False):
        event = _new_event(actor, action, target, object_type, object_id, unit, details)
        # A missing audit key raises KeyringError here: no key, no change.
        event.key_version = keyring.active_version("audit")
        key = keyring.key("audit", event.key_version)

        head = _lock_head()
        event.seq = head.seq + 1
        event.prev_hash = head.mac
        event.occurred_at = chain.timestamp()  # after the lock, so time follows the sequence
        event.mac = chain.compute_mac(key, event.chain_values())
        event.save()
        head.seq, head.mac = event.seq, event.mac
        head.save(update_fields=["seq", "mac"])
    return event


def record_read(
    *, actor, target: models.Model, fields: list[str], unit: Unit | None = None
) -> AuditEvent:
    """Record that `actor` saw decrypted content: which fields of which object, and when.

    Call it whenever complaint content is decrypted for a person (shown, downloaded or
    exported), in the same transaction as the read; pass the field names, never the values.
    """
    if isinstance(fields, str) or not fields:
        raise ValueError("name the fields that were read, as a list")
    names = sorted(set(fields))
    for name in names:
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise ValueError(f"{name!r} is not a field name")
    return record(
        actor=actor, action=READ_ACTION, target=target, unit=unit, details={"fields": names}
    )


def _checkpoint(head: ChainHead) -> Checkpoint:
    fields = checkpoints.sign(seq=head.seq, head_mac=head.mac)
    name = checkpoints.file_name(fields)
    checkpoint = Checkpoint(**fields, file_name=name)
    checkpoint.save()
    checkpoints.export(fields, name)
    return checkpoint


def make_checkpoint() -> Checkpoint:
    """Sign the current chain head, store the checkpoint and export its file.

    The file is written before the row commits; if it cannot be written, nothing is stored.
    """
    with transaction.atomic():
        return _checkpoint(_lock_head())


def latest_checkpoint() -> Checkpoint | None:
    """The checkpoint made last (by the time it was made, not by its sequence number: after
    a head was wound back, the last one made is the one that tells)."""
    return Checkpoint.objects.order_by("-id").first()


def _moved(head: ChainHead | None) -> bool:
    latest = latest_checkpoint()
    return head is None or latest is None or latest.seq != head.seq


def checkpoint_if_moved() -> Checkpoint | None:
    """For the schedule, each minute: a new checkpoint only when events were added since the
    last one. Two workers running it at once make one checkpoint of a head, not two."""
    # A look without the lock first: most minutes nothing moved, and the head's lock would
    # make every writer of an event wait behind this one.
    if not _moved(ChainHead.objects.filter(pk=ChainHead.ONLY).first()):
        return None
    with transaction.atomic():
        head = _lock_head()
        # Whoever held the lock before us may have checkpointed this very head; on
        # PostgreSQL this query, run after the lock was granted, sees their commit.
        if not _moved(head):
            return None
        return _checkpoint(head)
