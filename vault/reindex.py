"""Re-indexing: every blind index computed again under the active blind key, so that an old
blind key version can be removed (`manage.py keys rotate --purpose blind`).

A blind index is a keyed hash, so moving it to a new key needs the value itself: it is read
from the sealed field the index names as its `source` and hashed again. Like re-wrapping
(vault/rotation.py), each batch commits on its own and every update is conditional on the
row still holding the index it was read with, so the work can be killed at any moment and
run again. The progress is in the rows: an index already under the active version is done.
Until the last row is done, lookups still find every record, because `blind_candidates`
tries every version the keyring holds.

A record whose value can no longer be read (its data key shredded, or the value gone) loses
its index: the index could only ever link it to other records, and after a shred nothing
should.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.db.models import Q

from vault.blind import BlindIndexField, blind_materials, index_under
from vault.errors import ShreddedError
from vault.keyring import keyring, refresh_keyring

Progress = Callable[[int, int], None]


@dataclass
class Reindexed:
    recomputed: int = 0
    cleared: int = 0
    # Records of other blind-keyed material computed again (vault.blind.subkey).
    other: int = 0


def blind_index_fields() -> list[tuple[type, BlindIndexField]]:
    """Every blind index field of every installed model, with its model."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, BlindIndexField)
    ]


def _behind(model, field, active: int):
    """The rows of `model` whose index in `field` is not yet under the active version."""
    empty = Q(**{field.attname: ""}) | Q(**{f"{field.attname}__isnull": True})
    done = Q(**{f"{field.attname}__startswith": f"v{active}:"})
    return model._default_manager.exclude(empty | done)


def indexes_needing_reindex() -> int:
    """How many blind indexes are still under an older blind key version."""
    refresh_keyring()
    active = keyring.active_version("blind")
    return (sum(_behind(model, field, active).count() for model, field in blind_index_fields())
            + sum(behind(active) for behind, _redo, _using in blind_materials()))


def reindex_blind(*, batch_size: int = 500, progress: Progress | None = None) -> Reindexed:
    """Compute every blind index that is not under the active blind key again under it.

    `progress(done, total)` is called after each committed batch. A field without a
    `source` cannot be re-indexed: ValueError before anything changes.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    refresh_keyring()
    active = keyring.active_version("blind")
    fields = blind_index_fields()
    blind = [f"{model._meta.label}.{field.name}" for model, field in fields if not field.source]
    if blind:
        raise ValueError("blind index fields without a source cannot be re-indexed: "
                         + ", ".join(blind))
    result = Reindexed()
    total = sum(_behind(model, field, active).count() for model, field in fields)
    done = 0
    for model, field in fields:
        last_pk = None
        while True:
            rows = _behind(model, field, active).select_related("data_key").order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                for row in batch:
                    _reindex_row(model, field, row, active, result)
            done += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(done, total)
    for _behind_count, redo, _using in blind_materials():
        result.other += redo(active, batch_size, progress)
    return result


def _reindex_row(model, field, row, active: int, result: Reindexed) -> None:
    old = getattr(row, field.attname)
    value = _source_value(row, field.source)
    new = None
    if value:
        try:
            new = index_under(active, field.kind, value)
        except ValueError:
            new = None  # no longer a valid value of its kind: it cannot be looked up
    if new is None:
        new = None if field.null else ""
    # Only if nobody changed the index meanwhile (a newer write is already under the
    # active key).
    changed = model._default_manager.filter(pk=row.pk, **{field.attname: old}).update(
        **{field.attname: new}
    )
    if changed:
        if new:
            result.recomputed += 1
        else:
            result.cleared += 1


def _source_value(row, source: str) -> str | None:
    """The plaintext the index was made from; None when it cannot be read any more."""
    name, _, key = source.partition(".")
    if row.data_key.is_shredded:
        return None
    sealed = getattr(row, name)
    if sealed is None:
        return None
    try:
        value = sealed.reveal()
    except ShreddedError:
        return None
    if key:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None
