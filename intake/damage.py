"""Sealed content that fails to authenticate is an event, not an error page.

A ciphertext that does not open (vault.errors.DecryptionError: a changed byte in a row, in a
file's chunk or in a wrapped data key) means protected content was altered or moved. A page
that meets it shows everything else and says which part is damaged; the damage is recorded
in the audit trail (`content.damaged`, ids and field names only), logged with ids, and the
unit's head and auditors are told (notify kind CONTENT_DAMAGED), once per record and field
however often it is met. Content destroyed on purpose (ShreddedError) or a key missing from
the keyring (KeyringError) is not damage: those still fail closed as before.

    reading = Reading()
    body = reading.reveal(message, "body")          # None when damaged; noted in reading
    reading_record(reader=..., unit=..., subject=..., damaged=reading.damaged,
                   shown=[(message, ["body"])] if body is not None else [])

(intake.reading.reading_record records the damage, then what was shown.) The damage is
recorded in a transaction that commits: the reading itself catches the error, so nothing
rolls the event back along with a failed read.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction

from audit.models import AuditEvent
from audit.services import record
from notify.events import emit
from notify.models import Kind
from vault.errors import DecryptionError
from vault.models import DataKey

logger = logging.getLogger(__name__)

DAMAGED_ACTION = "content.damaged"
# The part of an attachment that is its file on disk, and the part of a data key that is
# its wrapped key material, named like fields.
FILE = "file"
WRAPPED_KEY = "wrapped"


class ContentDamaged(DecryptionError):
    """Raised once a damage has been recorded (and committed), for the page to say so."""


@dataclass(frozen=True)
class Damage:
    """One record whose sealed `field` does not authenticate."""

    target: models.Model
    field: str

    @property
    def object_type(self) -> str:
        return self.target._meta.label_lower

    @property
    def object_id(self) -> str:
        return str(self.target.pk)

    def __eq__(self, other):
        return (isinstance(other, Damage) and self.field == other.field
                and (self.object_type, self.object_id) == (other.object_type, other.object_id))

    def __hash__(self):
        return hash((self.object_type, self.object_id, self.field))


def damage_of(record: models.Model, field: str) -> Damage:
    """What is damaged when `field` of `record` did not open. A wrapped data key that does not
    open makes everything under it fail: then the key is the damaged record, named once
    rather than once for every field it protects."""
    data_key = record if isinstance(record, DataKey) else record.data_key
    try:
        data_key.unwrap()
    except DecryptionError:
        return Damage(data_key, WRAPPED_KEY)
    return Damage(record, field)


class Reading:
    """Decrypts the sealed fields one page shows, noting each damaged one instead of failing
    the page. Other vault errors (shredded content, a missing key) still raise."""

    def __init__(self):
        self.damaged: list[Damage] = []

    def reveal(self, record: models.Model, field: str):
        """The field's plaintext; None when it is empty or damaged (see `is_damaged`)."""
        sealed = getattr(record, field)
        if sealed is None:
            return None
        try:
            return sealed.reveal()
        except DecryptionError:
            self.note(damage_of(record, field))
            return None

    def note(self, damage: Damage) -> None:
        if damage not in self.damaged:
            self.damaged.append(damage)

    def is_damaged(self, record: models.Model, field: str) -> bool:
        return any(damage in self.damaged for damage in (
            Damage(record, field), Damage(record.data_key, WRAPPED_KEY)))


def content_damaged(*, actor, found: Iterable[Damage], unit, subject: dict) -> list[Damage]:
    """Record each damage in `found` that was not recorded before: one `content.damaged`
    event per record and field, and one notification for all that are new. `subject` holds
    the ids notify accepts (the complaint's id and reference); the event's details repeat
    them beside the field's name. Returns the damages that were new.

    Call it in a transaction that commits, after decrypting and before recording the reading
    (record_read): never let the DecryptionError that found the damage end that transaction.
    It locks the data key's row, and everywhere that lock comes before the audit chain's, so
    that two readers never wait for each other's lock."""
    found = list(dict.fromkeys(found))
    if not found:
        return []
    new = []
    with transaction.atomic():
        for damage in found:
            first = _lock_and_check(damage)
            # Ids and the field's name only: nothing of what the field says, or said.
            logger.warning("sealed content does not authenticate", extra={
                "object_type": damage.object_type, "object_id": damage.object_id,
                "field": damage.field, "first_time": first})
            if first:
                record(actor=actor, action=DAMAGED_ACTION, object_type=damage.object_type,
                       object_id=damage.object_id, unit=unit,
                       details={"fields": [damage.field], **subject})
                new.append(damage)
        if new:
            emit(Kind.CONTENT_DAMAGED, unit=unit, subject=subject)
    return new


def _lock_and_check(damage: Damage) -> bool:
    """Whether `damage` is new. Two readers meeting the same damage at once take turns on
    the data key's row (FOR NO KEY UPDATE: a message being written under the key is not
    held up), so the second sees the first one's event and does not repeat it."""
    target = damage.target
    key_id = target.pk if isinstance(target, DataKey) else target.data_key_id
    list(DataKey.objects.select_for_update(no_key=True).filter(pk=key_id).values_list("pk"))
    earlier = AuditEvent.objects.filter(action=DAMAGED_ACTION, object_type=damage.object_type,
                                        object_id=damage.object_id)
    return not any(damage.field in event.details_dict.get("fields", ()) for event in earlier)
