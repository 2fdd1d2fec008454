"""Key rotation: re-wrapping data keys, and knowing when an old key version is unused.

Rotating the wrap key never touches records or files: only each data key is unwrapped with
its old wrap key and wrapped again with the active one. Each batch commits on its own and
every update is conditional, so the work can be killed at any moment and run again; it
resumes where it stopped, and a data key shredded meanwhile stays shredded.
"""

import time
from collections.abc import Callable

from django.apps import apps
from django.db import connection, transaction

from vault import crypto
from vault.errors import DecryptionError, KeyringError
from vault.keyring import key_for, keyring
from vault.models import DataKey, wrap_aad

Progress = Callable[[int, int], None]

# Rows per UPDATE statement: two parameters each, well under SQLite's limit of 32766.
_ROWS_PER_STATEMENT = 5000
# New data keys made by processes that still run with the old keyring are swept up again.
_PASSES = 3


def data_keys_needing_rewrap() -> dict[int, int]:
    """How many live data keys each non-active wrap version still protects."""
    active = keyring.active_version("wrap")
    counts: dict[int, int] = {}
    rows = DataKey.objects.live().exclude(wrap_version=active).values_list("wrap_version")
    for (version,) in rows.order_by().distinct():
        counts[version] = DataKey.objects.wrapped_by(version).count()
    return counts


def rewrap_data_keys(*, batch_size: int = 1000, progress: Progress | None = None) -> int:
    """Wrap every live data key under the active wrap key; returns how many were re-wrapped.

    `progress(done, total)` is called after each committed batch. Raises KeyringError when a
    data key's wrap version is missing from the keyring, before anything changes, and
    DecryptionError when a wrapped key was altered (nothing after it is touched).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    active = keyring.active_version("wrap")
    new_key = key_for("wrap", active)
    rewrapped = 0
    for _ in range(_PASSES):
        pending = data_keys_needing_rewrap()
        if not pending:
            break
        missing = [v for v in pending if v not in keyring.versions("wrap")]
        if missing:
            raise KeyringError(
                "data keys are wrapped by wrap key versions the keyring lacks: "
                + ", ".join(f"v{v} ({pending[v]} keys)" for v in sorted(missing))
            )
        total, done = sum(pending.values()), 0
        for version in sorted(pending):
            old_key = key_for("wrap", version)
            last_id = 0
            while True:
                rows = list(
                    DataKey.objects.wrapped_by(version).filter(id__gt=last_id)
                    .order_by("id").values_list("id", "uid", "wrapped")[:batch_size]
                )
                if not rows:
                    break
                updates = [
                    (pk, _rewrap(old_key, new_key, uid, bytes(wrapped), version, active))
                    for pk, uid, wrapped in rows
                ]
                with transaction.atomic():
                    rewrapped += _store(updates, from_version=version, to_version=active)
                done += len(rows)
                last_id = rows[-1][0]
                if progress is not None:
                    progress(done, total)
    return rewrapped


def _rewrap(old_key, new_key, uid, wrapped, version, active) -> bytes:
    try:
        raw = crypto.unseal(old_key, wrapped, wrap_aad(uid, version))
    except DecryptionError:
        raise DecryptionError(f"data key {uid} does not unwrap; rotation stopped") from None
    return crypto.seal(new_key, raw, wrap_aad(uid, active))


def _store(updates: list[tuple[int, bytes]], *, from_version: int, to_version: int) -> int:
    """One UPDATE per few thousand rows. Django's bulk_update builds a CASE with a branch per
    row, which SQLite evaluates row by row: quadratic in the batch size.

    A row changes only if it is still live and still wrapped by `from_version`, so a data key
    shredded or re-wrapped by someone else in the meantime is left as it is.
    """
    table = connection.ops.quote_name(DataKey._meta.db_table)
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(updates), _ROWS_PER_STATEMENT):
            part = updates[start : start + _ROWS_PER_STATEMENT]
            values = ", ".join(["(%s, %s)"] * len(part))
            params = [item for row in part for item in (row[0], connection.Database.Binary(row[1]))]
            # SQLite and PostgreSQL both name a VALUES list's columns column1, column2, ...
            # Only the quoted table name and placeholders are put into the text.
            cursor.execute(
                f"UPDATE {table} SET wrapped = v.column2, wrap_version = %s "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1 "
                f"AND {table}.wrap_version = %s AND {table}.shredded_at IS NULL",
                [to_version, *params, from_version],
            )
            changed += cursor.rowcount
    return changed


# -- what still uses a key version -----------------------------------------------------------

UsageCheck = Callable[[int], int]
_usage_checks: dict[str, UsageCheck] = {}


def register_key_usage(purpose: str, check: UsageCheck) -> None:
    """Teach `keys remove` how many things still need `purpose` key version N.

    Apps that keep material under a keyring purpose (the audit trail's HMAC and signing keys,
    receipt peppers) register a check; a purpose without one is never removed.
    """
    _usage_checks[purpose] = check


def key_usage(purpose: str, version: int) -> int | None:
    """How many things still need the key; None when nobody can tell."""
    check = _usage_checks.get(purpose)
    return None if check is None else check(version)


def _wrap_usage(version: int) -> int:
    return DataKey.objects.wrapped_by(version).count()


def _blind_usage(version: int) -> int:
    from vault.blind import BlindIndexField, blind_materials

    prefix, used = f"v{version}:", 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, BlindIndexField):
                lookup = {f"{field.attname}__startswith": prefix}
                used += model._default_manager.filter(**lookup).count()
    return used + sum(using(version) for _behind, _redo, using in blind_materials())


register_key_usage("wrap", _wrap_usage)
register_key_usage("blind", _blind_usage)


class ProgressPrinter:
    """Prints a progress line at most once a second: count, percentage, rate, time left."""

    def __init__(self, write: Callable[[str], None], label: str, every: float = 1.0):
        self.write, self.label, self.every = write, label, every
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.shown < self.every and done < total:
            return
        self.shown = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        percent = 100 * done / total if total else 100
        self.write(
            f"{self.label}: {done:,}/{total:,} ({percent:.0f}%), {rate:,.0f}/s, "
            f"about {left:.0f}s left"
        )
