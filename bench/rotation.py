"""How fast `keys rotate` re-wraps data keys, on SQLite, against bare AES-GCM.

Fills a fresh SQLite database (WAL, as in the embedded deployment) with data keys wrapped
by wrap key version 1, adds version 2, and times `rewrap_data_keys` with the command's
default batch size. The floor is AES-256-GCM alone doing the same unwrap and wrap in memory,
measured in the same run; the ratio shows what the database and Python cost on top.
Target: 1,000,000 data keys in under 2 minutes. Afterwards version 1 is removed and a sample
of data keys is unwrapped, to show the work was real.

    .venv/bin/python bench/rotation.py [--quick] [--records N]
"""

import os
import random
import secrets
import time
import uuid

from _setup import arguments, best_rate, cleanup, django_in_tempdir

TARGET_SECONDS_PER_MILLION = 120
FILL_BATCH = 50_000


def fill(count: int) -> None:
    """Insert `count` wrapped data keys with plain executemany: set-up, not measured."""
    from django.db import connection, transaction
    from django.utils import timezone

    from vault.crypto import seal
    from vault.keyring import key_for
    from vault.models import DataKey, wrap_aad

    wrap_key = key_for("wrap", 1)
    table = DataKey._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {table} (uid, wrapped, wrap_version, created_at, shredded_at) "
        "VALUES (%s, %s, 1, %s, NULL)"
    )
    for start in range(0, count, FILL_BATCH):
        rows = []
        for _ in range(min(FILL_BATCH, count - start)):
            uid = uuid.uuid4()
            wrapped = seal(wrap_key, secrets.token_bytes(32), wrap_aad(uid, 1))
            rows.append((uid.hex, wrapped, now))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def floor_rate(sample: int) -> float:
    """Bare AES-256-GCM: unwrap and re-wrap a 32-byte key, cipher objects built once."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    old, new = AESGCM(secrets.token_bytes(32)), AESGCM(secrets.token_bytes(32))
    aad = b"shugel:v1|vault.datakey|" + b"0" * 32 + b"|wrap:1"
    tokens = []
    for _ in range(1000):
        nonce = os.urandom(12)
        tokens.append((nonce, old.encrypt(nonce, secrets.token_bytes(32), aad)))

    def rewrap(n):
        for i in range(n):
            nonce, token = tokens[i % 1000]
            new.encrypt(os.urandom(12), old.decrypt(nonce, token, aad), aad)

    return best_rate(rewrap, sample, repeats=3)


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, help="data keys to re-wrap")
    args = parser.parse_args()
    count = args.records or (50_000 if args.quick else 1_000_000)
    workdir = django_in_tempdir()
    try:
        run(count, workdir)
    finally:
        cleanup(workdir)


def run(count: int, workdir):
    from django.conf import settings

    from vault.keyring import load_keyring, reload_keyring
    from vault.models import DataKey
    from vault.rotation import ProgressPrinter, rewrap_data_keys

    started = time.perf_counter()
    fill(count)
    print(f"set-up: {count:,} data keys wrapped by v1 in {time.perf_counter() - started:.1f}s")

    ring = load_keyring()
    ring.add_version("wrap")
    ring.save(settings.KEYRING_PATH)
    reload_keyring()
    progress = ProgressPrinter(lambda line: print("  " + line, flush=True), "re-wrapping", 10)
    started = time.perf_counter()
    rewrapped = rewrap_data_keys(batch_size=1000, progress=progress)
    seconds = time.perf_counter() - started
    assert rewrapped == count == DataKey.objects.wrapped_by(2).count()

    ring.remove_version("wrap", 1)
    ring.save(settings.KEYRING_PATH)
    reload_keyring()
    ids = DataKey.objects.values_list("id", flat=True)
    sample = random.Random(1).sample(list(ids.order_by("id")[: min(count, 200_000)]), 1000)
    for data_key in DataKey.objects.filter(id__in=sample):
        assert len(data_key.unwrap()) == 32
    size = sum(p.stat().st_size for p in workdir.glob("bench.sqlite3*"))

    rate = rewrapped / seconds
    floor = floor_rate(min(count, 200_000))
    per_million = 1_000_000 / rate
    verdict = "meets" if per_million < TARGET_SECONDS_PER_MILLION else "MISSES"
    print(f"database:             SQLite (WAL), {size / 2**20:,.0f} MiB")
    print(f"re-wrapped:           {rewrapped:,} data keys in {seconds:.1f}s (batches of 1,000)")
    print(f"rate:                 {rate:,.0f} data keys/s")
    print(f"bare AES-256-GCM:     {floor:,.0f} unwrap+wrap/s  (floor)")
    print(f"ratio:                {rate / floor:.2f} of the floor")
    print(
        f"1,000,000 data keys:  {per_million:.0f}s  "
        f"({verdict} the target of < {TARGET_SECONDS_PER_MILLION}s)"
    )
    print("after removing v1:    1,000 sampled data keys unwrap with v2 alone")


if __name__ == "__main__":
    main()
