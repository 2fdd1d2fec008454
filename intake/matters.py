"""One matter across channels: which of a unit's recent complaints are probably the same
matter as a case, and the officer's answer (link them, or say they are not the same).

Suggestions read only metadata: the blind index of the reporter's phone
(Complaint.reporter_phone_index) and the keyed similarity buckets (intake.likeness), never
the text, so the plain case page may show them. The similarity signatures it opens are
keyed hashes sealed with each complaint's data key, not content: opening them is not a
reading of the case, and nobody sees them. Every list here is taken from `visible`,
the cases the person asking may see (Complaint.objects.for_staff: their unit's, never one
they are recused from), so nobody learns of a complaint they may not open.
"""

import collections
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.services import record
from intake import likeness
from intake.case.services import complaint_lock
from intake.matter_models import (
    LikenessBucket,
    LikenessSignature,
    Matter,
    MatterDismissal,
    MatterMember,
)
from intake.models import Complaint
from vault.errors import VaultError

MAX_SUGGESTIONS = 5
# Candidates taken from the buckets before visibility and dismissals are applied.
_CANDIDATES = 50
# Rows read from each of a complaint's buckets on either side of it in time, the nearest
# first: at most 2 x likeness.BANDS x PER_BUCKET rows a case page, however many share them.
PER_BUCKET = 50
# Stands for the bucket in the query compiled once (a bucket is a signed 64-bit hash).
_ANY_BUCKET = -(2**63) + 1


def window() -> timedelta:
    """How far apart in time two complaints may be and still be suggested as one matter."""
    return timedelta(days=settings.MATTER_WINDOW_DAYS)


@dataclass(frozen=True)
class Suggestion:
    complaint: Complaint
    same_phone: bool
    # The estimated similarity of the wording (0–1), None when it was not what matched.
    similarity: float | None

    @property
    def percent(self) -> int | None:
        return None if self.similarity is None else round(self.similarity * 100)


def matter_of(complaint: Complaint) -> Matter | None:
    member = MatterMember.objects.filter(complaint=complaint).select_related("matter").first()
    return member.matter if member else None


def matter_others(complaint: Complaint, visible) -> list[Complaint]:
    """The other complaints of `complaint`'s matter that the person may see, oldest first."""
    members = MatterMember.objects.filter(
        matter__members__complaint=complaint).exclude(complaint=complaint)
    return list(visible.filter(pk__in=members.values("complaint"))
                .select_related("unit").order_by("received_at", "pk"))


def matter_complaints(complaint: Complaint, user) -> list[Complaint]:
    """The other complaints of `complaint`'s matter that `user` may see (not recused) and
    whose content still exists: what routing's triage and referral read with it."""
    visible = (Complaint.objects.filter(unit_id=complaint.unit_id, data_key__shredded_at=None)
               .visible_to(user).select_related("data_key"))
    return matter_others(complaint, visible)


def _excluded(complaint: Complaint) -> set[int]:
    """Itself, what is already in its matter, and the pairs dismissed."""
    excluded = {complaint.pk}
    excluded |= set(MatterMember.objects.filter(matter__members__complaint=complaint)
                    .values_list("complaint_id", flat=True))
    for first, second in MatterDismissal.objects.filter(
            Q(first=complaint) | Q(second=complaint)).values_list("first_id", "second_id"):
        excluded |= {first, second}
    return excluded


def _signature(complaint_id: int) -> tuple[int, list[int]] | None:
    sealed = (LikenessSignature.objects.filter(complaint_id=complaint_id)
              .select_related("data_key").first())
    return None if sealed is None else (sealed.version, _opened(sealed))


def _opened(sealed: LikenessSignature) -> list[int]:
    try:
        return likeness.unpacked(sealed.values.reveal())
    except (VaultError, ValueError):
        return []  # shredded or damaged: it compares with nothing


def _meeting(complaint: Complaint, version: int, since, until) -> collections.Counter:
    """Complaint id -> how many of `complaint`'s buckets it shares, counted over at most
    PER_BUCKET complaints on either side of it in time in each bucket (one query of one
    indexed seek per bucket and side: unit, bucket, received_at). A bucket that thousands
    of near-identical complaints share (a campaign of one text, or a flood) costs no more
    to read than one that few do."""
    buckets = list(LikenessBucket.objects.filter(complaint=complaint)
                   .values_list("bucket", flat=True))
    if not buckets:
        return collections.Counter()
    near = (LikenessBucket.objects.filter(unit_id=complaint.unit_id, version=version,
                                          bucket=_ANY_BUCKET)
            .exclude(complaint_id=complaint.pk).values_list("complaint_id"))
    sides = [near.filter(received_at__gte=since, received_at__lte=complaint.received_at)
             .order_by("-received_at", "-complaint_id"),
             near.filter(received_at__gt=complaint.received_at, received_at__lte=until)
             .order_by("received_at", "complaint_id")]
    parts, params = [], []
    for side in sides:
        # Compiled once, then repeated for each bucket with only the bucket's value changed.
        sql, side_params = side[:PER_BUCKET].query.get_compiler(side.db).as_sql()
        at = side_params.index(_ANY_BUCKET)
        for bucket in buckets:
            parts.append(f"SELECT complaint_id FROM ({sql}) AS near{len(parts)}")  # noqa: S608
            params += [*side_params[:at], bucket, *side_params[at + 1:]]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return collections.Counter(complaint_id for (complaint_id,) in cursor.fetchall())


def _similar(complaint: Complaint, since, until) -> dict[int, float]:
    """Complaints of the unit in the window whose buckets meet `complaint`'s (_meeting),
    with the similarity their signatures estimate: of the _CANDIDATES sharing most."""
    own = _signature(complaint.pk)
    if own is None or not own[1]:
        return {}
    version, mine = own
    met = _meeting(complaint, version, since, until)
    candidates = sorted(met, key=lambda pk: (-met[pk], pk))[:_CANDIDATES]
    found = LikenessSignature.objects.filter(
        complaint_id__in=candidates, version=version).select_related("data_key")
    return {sealed.complaint_id: likeness.similarity(mine, _opened(sealed)) for sealed in found}


def suggestions_for(complaint: Complaint, visible) -> list[Suggestion]:
    """Up to MAX_SUGGESTIONS of the unit's complaints near `complaint` in time that are
    probably the same matter: the same phone first, then the most similar wording."""
    since, until = complaint.received_at - window(), complaint.received_at + window()
    excluded = _excluded(complaint)
    phone = set()
    if complaint.reporter_phone_index:
        phone = set(Complaint.objects.filter(
            unit_id=complaint.unit_id, reporter_phone_index=complaint.reporter_phone_index,
            received_at__gte=since, received_at__lte=until,
        ).exclude(pk__in=excluded).values_list("pk", flat=True)[:_CANDIDATES])
    similar = {pk: found for pk, found in _similar(complaint, since, until).items()
               if pk not in excluded and found >= likeness.MIN_SIMILARITY}
    found = {c.pk: c for c in visible.filter(pk__in=phone | set(similar),
                                             data_key__shredded_at__isnull=True)}
    ranked = sorted(found, key=lambda pk: (pk not in phone, -similar.get(pk, 0), pk))
    return [Suggestion(found[pk], pk in phone, similar.get(pk)) for pk in ranked][
        :MAX_SUGGESTIONS]


# --- the officer's answer ------------------------------------------------------------------

def _check_pair(complaint: Complaint, other: Complaint) -> None:
    if complaint.pk == other.pk:
        raise ValidationError(_("A complaint is already the same matter as itself."),
                              code="same")
    if complaint.unit_id != other.unit_id:
        raise ValidationError(_("Only complaints of the same unit can be one matter."),
                              code="unit")


def _locked(*complaints: Complaint, by) -> None:
    """Each case's lock (refusing anyone recused from it), in the order of their ids, so two
    officers linking the same pair from either side wait for each other, not deadlock."""
    for complaint in sorted(complaints, key=lambda c: c.pk):
        complaint_lock(complaint=complaint, by=by)


@transaction.atomic
def complaints_link(*, complaint: Complaint, other: Complaint, by) -> Matter:
    """Make `other` one matter with `complaint`: a new matter of the two, or the one either
    is already in (two matters become one)."""
    _check_pair(complaint, other)
    _locked(complaint, other, by=by)
    mine, theirs = matter_of(complaint), matter_of(other)
    if mine is not None and theirs is not None and mine.pk == theirs.pk:
        raise ValidationError(_("These complaints are already one matter."), code="linked")
    matter = mine or theirs or Matter.objects.create(unit=complaint.unit, created_by=by)
    for joining in (complaint, other):
        if matter_of(joining) is None:
            MatterMember.objects.create(matter=matter, complaint=joining, linked_by=by)
    ended = [m for m in (mine, theirs) if m is not None and m.pk != matter.pk]
    for merged in ended:
        MatterMember.objects.filter(matter=merged).update(matter=matter)
        merged.delete()
    record(actor=by, action="matter.linked", target=complaint,
           details={"with": other.reference, "matter": matter.pk})
    return matter


@transaction.atomic
def complaint_unlink(*, complaint: Complaint, by) -> None:
    """Take `complaint` out of its matter; a matter left with one complaint ends."""
    _locked(complaint, by=by)
    member = MatterMember.objects.filter(complaint=complaint).select_related("matter").first()
    if member is None:
        raise ValidationError(_("This complaint is not linked to another."), code="unlinked")
    matter, matter_id = member.matter, member.matter_id
    member.delete()
    if matter.members.count() < 2:
        matter.delete()  # and with it the one member left
    record(actor=by, action="matter.unlinked", target=complaint, details={"matter": matter_id})


@transaction.atomic
def suggestion_dismiss(*, complaint: Complaint, other: Complaint, by) -> MatterDismissal:
    """Say that `other` is not the same matter as `complaint`: never suggested again."""
    _check_pair(complaint, other)
    _locked(complaint, other, by=by)
    first, second = sorted((complaint, other), key=lambda c: c.pk)
    dismissal, created = MatterDismissal.objects.get_or_create(
        first=first, second=second, defaults={"dismissed_by": by})
    if created:
        record(actor=by, action="matter.dismissed", target=complaint,
               details={"with": other.reference})
    return dismissal
