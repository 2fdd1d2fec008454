"""Signing complaints for "probably the same matter" (intake.likeness), off the request path.

A MinHash signature costs several milliseconds of pure Python for a page of text, so a new
complaint is signed by a task after its transaction commits: the task's payload is the
complaint's id alone, and the worker decrypts the text in memory, signs it and writes only
the bucket values. The decryption is the machine's, like re-indexing's (vault/reindex.py),
shown to nobody, and so is not an audited reading.

`likeness_catch_up` signs whatever was missed (a task lost with a crashed worker, complaints
from before this existed) and, after `keys rotate --purpose blind`, signs everything again
under the new key version in batches; it is the blind key's registered material
(vault.blind.register_blind_material), so the rotation runs it and `keys remove` waits for
it. Shredding a complaint deletes its buckets (`likeness_forget`).
"""

from django.db import transaction
from django.db.models import Exists, OuterRef

from intake import likeness
from intake.models import Complaint, LikenessBucket
from vault.errors import VaultError

TASK = "intake.tasks.complaint_sign"


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


def _rows(complaint: Complaint, version: int) -> list[LikenessBucket]:
    texts = texts_of(complaint)
    if texts is None:
        return []
    return [LikenessBucket(complaint=complaint, unit_id=complaint.unit_id,
                           received_at=complaint.received_at, bucket=value, version=version)
            for value in likeness.buckets(texts, version)]


@transaction.atomic
def complaint_sign(*, complaint_id: int, version: int | None = None) -> int:
    """(Re)write the buckets of one complaint under blind key `version` (the active one by
    default); returns how many. A complaint gone or shredded has none."""
    version = version or likeness.active_version()
    complaint = (Complaint.objects.select_for_update(of=("self",)).select_related("data_key")
                 .filter(pk=complaint_id).first())
    if complaint is None:
        return 0
    rows = _rows(complaint, version)
    LikenessBucket.objects.filter(complaint=complaint).delete()
    LikenessBucket.objects.bulk_create(rows)
    return len(rows)


def sign_after_commit(complaint: Complaint) -> None:
    """Queue the signing of a complaint being saved, once its transaction commits."""
    from django_q.tasks import async_task

    complaint_id = complaint.pk
    transaction.on_commit(lambda: async_task(TASK, complaint_id))


@transaction.atomic
def likeness_forget(*, complaint: Complaint) -> int:
    """Delete a complaint's buckets (its content is being shredded): nothing should link
    it to another complaint any more."""
    deleted, _ = LikenessBucket.objects.filter(complaint=complaint).delete()
    return deleted


def _unsigned():
    return (Complaint.objects.filter(data_key__shredded_at__isnull=True)
            .exclude(Exists(LikenessBucket.objects.filter(complaint=OuterRef("pk")))))


def _signed_under_other(active: int):
    return Complaint.objects.filter(
        Exists(LikenessBucket.objects.filter(complaint=OuterRef("pk")).exclude(version=active)))


def likeness_behind(active: int) -> int:
    """How many complaints still have buckets under another blind key version."""
    return _signed_under_other(active).count()


def likeness_using(version: int) -> int:
    return LikenessBucket.objects.filter(version=version).values("complaint").distinct().count()


def likeness_catch_up(*, active: int | None = None, batch_size: int = 500,
                      progress=None) -> int:
    """Sign every complaint not yet signed, and sign again every one signed under an older
    blind key version; each batch commits on its own, so this can be stopped and run
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
