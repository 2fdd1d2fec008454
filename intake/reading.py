"""The record of a reading: what every decrypting read shown to a person ends with.

Decrypting sealed content for someone (a page, a download, a printed letter) is an audited
event, written in the same transaction as the reading, so nobody sees content the trail does
not show them reading. Every such read decrypts with an intake.damage.Reading (or notes the
damage it met itself) and then calls `reading_record` once, which writes, in this order:

1. each damaged record and field not recorded before (intake.damage.content_damaged), and
2. one `content.read` per record for the fields that were shown (audit.services.record_read:
   field names, never their values).

The order is the lock order content_damaged asks for (the data key's row before the audit
chain's head), so it lives here once rather than in every view and service that reads.
"""

from collections.abc import Iterable, Sequence

from django.db import models, transaction

from audit.services import record_read
from intake.damage import Damage, content_damaged


def reading_record(*, reader, unit, subject: dict, damaged: Iterable[Damage] = (),
                   shown: Iterable[tuple[models.Model, Sequence[str]]] = ()) -> None:
    """Record that `reader` met `damaged` and saw `shown`: (record, field names) pairs, a
    pair with no fields being skipped. `subject` holds the ids notify accepts for the damage
    (a complaint's id and reference, or a referral's). Call it after decrypting, inside the
    transaction that shows the content, or in one that commits just after it: never let the
    DecryptionError that found a damage roll this record back."""
    with transaction.atomic():
        content_damaged(actor=reader, found=damaged, unit=unit, subject=subject)
        for target, fields in shown:
            if fields:
                record_read(actor=reader, target=target, fields=list(fields), unit=unit)
