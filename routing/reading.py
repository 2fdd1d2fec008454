"""Routing's decrypting reads for a person: the cover letters a head reads before approving
a referral, and the approved package a clerk prints as a letter.

Each decrypts, then records through intake.reading.reading_record, like every other reading:
what was damaged first (intake.damage), then what was shown. The views only show the result.
"""

import json

from intake.damage import ContentDamaged, Reading, damage_of
from intake.models import Complaint
from intake.reading import reading_record
from outbox.services import package_context
from routing.models import Referral
from vault.errors import DecryptionError
from vault.files import open_encrypted

LETTER_FIELDS = ("cover_letter", "redactions")


def cover_letters_read(*, complaint: Complaint, referrals, reader) -> dict[int, dict]:
    """The cover letters (and redactions) of `referrals`, by referral id, for the head about
    to approve one; each reading recorded. A damaged letter is shown as such and recorded as
    damaged (intake.damage), not as read."""
    letters, reading = {}, Reading()
    found = list(Referral.objects.filter(pk__in=[r.pk for r in referrals]))
    for referral in found:
        letters[referral.pk] = {
            "cover_letter": reading.reveal(referral, "cover_letter"),
            "redactions": reading.reveal(referral, "redactions") or "",
            "damaged": reading.is_damaged(referral, "cover_letter"),
        }
    reading_record(
        reader=reader, unit=complaint.unit,
        subject={"complaint": complaint.pk, "reference": complaint.reference},
        damaged=reading.damaged,
        shown=[(referral, [name for name in LETTER_FIELDS
                           if not reading.is_damaged(referral, name)])
               for referral in found],
    )
    return letters


def letter_package_read(*, referral: Referral, reader) -> dict:
    """The sealed package of a referral approved to go by post, decrypted for printing, so
    that what is posted is exactly what the head approved; the reading is recorded. A package
    that does not open is recorded as damaged and ContentDamaged is raised once that has
    committed; any other VaultError (shredded, a key missing) records nothing."""
    outbox = referral.outbox
    subject = {"referral": referral.pk, "referral_reference": referral.reference}
    try:
        data = b"".join(open_encrypted(outbox.package_name, data_key=outbox.data_key,
                                       context=package_context(referral.reference)))
    except DecryptionError:
        reading_record(reader=reader, unit=referral.unit, subject=subject,
                       damaged=[damage_of(outbox, "package")])
        raise ContentDamaged(f"package of referral {referral.pk}")
    reading_record(reader=reader, unit=referral.unit, subject=subject,
                   shown=[(referral, ["package"])])
    return json.loads(data)
