"""Signing complaints for "probably the same matter" (intake.likeness).

A new complaint is signed as it comes in, from the text already in memory: one keyed hash
per shingle costs about a millisecond for a page (bench/matter_links.py prints it), so it
stays on the request path, computed before intake takes the unit's reference counter; only
the first SIGNED_CHARACTERS characters of the normalised text are signed, which bounds it.

`likeness_catch_up` signs whatever has no signature (complaints from before this existed)
and, after `keys rotate --purpose blind`, signs everything again under the new key version
in batches, reading the sealed text in memory: the machine's reading, shown to nobody,
like re-indexing's (vault/reindex.py), so not an audited one. It is the blind key's
registered material (vault.blind.register_blind_material): the rotation runs it and `keys
remove` waits for it. Shredding a complaint deletes its buckets and signature
(`likeness_forget`).
"""

from django.db import transaction
from django.db.models import Exists, OuterRef

from intake import likeness
from intake.matter_models import LikenessBucket, LikenessSignature
from intake.models import Complaint
from vault.errors import VaultError

Signed = tuple[list[int], list[int]]


def complaint_signed(texts, version: int | None = None) -> tuple[int, Signed | None]:
    """The signature and buckets of a complaint's texts, with the key version used."""
    version = version or likeness.active_version()
    return version, likeness.signed(texts, version)


def signature_store(complaint: Complaint, version: int, signed: Signed | None, *,
                    new: bool = False) -> int:
    """Replace what `complaint` has stored with `signed` (call inside its transaction);
    returns the number of buckets. A `new` complaint, saved in this same transaction, has
    nothing stored yet to replace."""
    if not new:
        LikenessBucket.objects.filter(complaint=complaint).delete()
        LikenessSignature.objects.filter(complaint=complaint).delete()
    if signed is None:
        return 0
    sig, values = signed
    sealed = LikenessSignature(complaint=complaint, data_key=complaint.data_key,
                               version=version)
    sealed.values = likeness.packed(sig)
    sealed.save()
    LikenessBucket.objects.bulk_create([
        LikenessBucket(complaint=complaint, unit_id=complaint.unit_id,
                       received_at=complaint.received_at, bucket=value, version=version)
        for value in values])
    return len(values)


def texts_of(complaint: Complaint) -> list[str] | None:
    """The complaint's words that are signed, in memory; None when they cannot be read."""
    if complaint.data_key.is_shredded:
        return None
    try:
        body = complaint.body.reveal() if complaint.body is not None else ""
        subject = complaint.subject.reveal() if complaint.subject is not None else ""
    except VaultError:
        return None
    return [body, subject]


@transaction.atomic
def complaint_sign(*, complaint_id: int, version: int | None = None) -> int:
    """Sign one stored complaint again from its sealed text under blind key `version` (the
    active one by default); returns how many buckets. One that cannot be read has none."""
    complaint = (Complaint.objects.select_for_update(of=("self",)).select_related("data_key")
                 .filter(pk=complaint_id).first())
    if complaint is None:
        return 0
    texts = texts_of(complaint)
    version, signed = complaint_signed(texts or [], version)
    return signature_store(complaint, version, signed)


@transaction.atomic
def likeness_forget(*, complaint: Complaint) -> None:
    """Delete a complaint's buckets and signature (its content is being shredded): nothing
    should link it to another complaint any more."""
    LikenessBucket.objects.filter(complaint=complaint).delete()
    LikenessSignature.objects.filter(complaint=complaint).delete()


def _unsigned():
    return (Complaint.objects.filter(data_key__shredded_at__isnull=True)
            .exclude(Exists(LikenessSignature.objects.filter(complaint=OuterRef("pk")))))


def _signed_under_other(active: int):
    return Complaint.objects.filter(Exists(
        LikenessSignature.objects.filter(complaint=OuterRef("pk")).exclude(version=active)))


def likeness_behind(active: int) -> int:
    """How many complaints are still signed under another blind key version."""
    return _signed_under_other(active).count()


def likeness_using(version: int) -> int:
    return LikenessSignature.objects.filter(version=version).count()


def likeness_catch_up(*, active: int | None = None, batch_size: int = 500,
                      progress=None) -> int:
    """Sign again every complaint signed under an older blind key version, and sign every
    one not signed yet; each complaint commits on its own, so this can be stopped and run
    again. Returns how many complaints were signed."""
    active = active or likeness.active_version()
    done = 0
    for found in (lambda: _signed_under_other(active), _unsigned):
        last_pk = 0
        while True:
            batch = list(found().filter(pk__gt=last_pk).order_by("pk")
                         .values_list("pk", flat=True)[:batch_size])
            if not batch:
                break
            for complaint_id in batch:
                complaint_sign(complaint_id=complaint_id, version=active)
            done += len(batch)
            last_pk = batch[-1]
            if progress is not None:
                progress(done, done)
    return done
