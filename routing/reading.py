"""Routing's decrypting reads: the cover letters a head reads before approving a referral,
the approved package a clerk prints as a letter, and the decided complaints' texts that
triage learns from.

Each decrypts, then records through intake.reading.reading_record, like every other reading:
what was damaged first (intake.damage), then what was shown. The views only show the result.
Learning reads every decided complaint at once, in memory, and records it as one event for
the whole run (`triage.texts_read`, counts only) rather than one per complaint.
"""

import json

from django.db import transaction

from audit.services import record
from intake.damage import ContentDamaged, Reading, damage_of
from intake.models import Complaint
from intake.reading import reading_record
from outbox.services import package_context
from routing.models import Referral, TriageDecision
from routing.triage_data import Labelled
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


@transaction.atomic
def decided_texts_read(*, reader) -> list[Labelled]:
    """Each current triage decision as a label on its complaint's text (subject and body,
    decrypted in memory only): corruption-related as the officer decided, and the category
    put first (a corruption-related one when the decision is). Complaints whose key was
    shredded are left out; a damaged one is recorded as damaged and left out. `reader` is
    the person who started the training, or audit's SYSTEM for the monthly task."""
    decisions = (TriageDecision.objects.current()
                 .filter(complaint__data_key__shredded_at__isnull=True)
                 .select_related("complaint", "complaint__data_key", "complaint__unit")
                 .prefetch_related("categories").order_by("pk"))
    texts, damaged = [], 0
    for decision in decisions:
        complaint, reading = decision.complaint, Reading()
        parts = [reading.reveal(complaint, "subject"), reading.reveal(complaint, "body")]
        if reading.damaged:
            damaged += 1
            reading_record(reader=reader, unit=complaint.unit, damaged=reading.damaged,
                           subject={"complaint": complaint.pk,
                                    "reference": complaint.reference})
            continue
        text = "\n".join(part for part in parts if part)
        category = _first_category(decision)
        if text.strip() and category:
            texts.append(Labelled(text=text, corruption=decision.corruption_related,
                                  category=category, source="decisions"))
    record(actor=reader, action="triage.texts_read", object_type="routing.triagedecision",
           details={"texts": len(texts), "damaged": damaged, "fields": ["body", "subject"]})
    return texts


def _first_category(decision) -> str | None:
    categories = sorted(decision.categories.all(), key=lambda c: (c.order, c.code))
    same_side = [c for c in categories if c.corruption_related == decision.corruption_related]
    chosen = (same_side or categories or [None])[0]
    return chosen.code if chosen else None
