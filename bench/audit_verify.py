"""How fast the audit chain is verified, against a bare HMAC-SHA256 chain loop.

The events are written to a temp SQLite file (triggers in place) with the serialisation and
HMAC that `audit.services.record` uses (audit.chain), then verified by `verify_chain`, as
`manage.py verify_audit` does: streamed from the database in chunks, every HMAC, link,
sequence number and the closing checkpoint. The floor is HMAC-SHA256 alone over the very
same message bytes, each feeding its result into the next, measured in the same run with
the same keyed-HMAC primitive. Targets: ratio >= 0.5 with the command's default processes;
1,000,000 events verified in under 30 s.

    .venv/bin/python bench/audit_verify.py [--quick]
"""

import os
import time

from _setup import arguments, cleanup, django_in_tempdir

TARGET_RATIO = 0.5
TARGET_SECONDS_PER_MILLION = 30.0
BATCH = 20_000


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    count = 100_000 if args.quick else 1_000_000
    workdir = django_in_tempdir()
    try:
        run(count, repeats=3 if args.quick else 2)
    finally:
        cleanup(workdir)


def generate(count: int) -> tuple[list[bytes], list[bytes]]:
    """Write `count` events as record() would, in bulk. Returns, for the floor, each
    message split into the previous HMAC and the rest (the bytes are the same)."""
    from datetime import UTC, datetime, timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from audit import chain
    from audit.models import ChainHead
    from org.models import Unit
    from vault.keyring import keyring

    unit = Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, name_mn="Дорноговь",
                               name_en="Dornogovi")
    officer = get_user_model().objects.create_user("officer")
    version = keyring.active_version("audit")
    key = keyring.key("audit", version)
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    actors = [("staff", officer.pk, "officer"), ("system", None, ""), ("anonymous", None, "")]
    actions = ["complaint.classify", "content.read", "referral.approve", "complaint.submit"]
    columns = ", ".join((*chain.CHAIN_COLUMNS, "mac"))
    marks = ", ".join(["%s"] * (len(chain.CHAIN_COLUMNS) + 1))
    insert = f"INSERT INTO audit_auditevent ({columns}) VALUES ({marks})"

    prevs, tails, prev = [], [], chain.GENESIS
    for batch_start in range(1, count + 1, BATCH):
        rows = []
        for seq in range(batch_start, min(batch_start + BATCH, count + 1)):
            kind, user_id, label = actors[seq % 3]
            values = (
                prev, seq, chain.timestamp(start + timedelta(milliseconds=seq * 250)), kind,
                user_id, label, actions[seq % 4], "intake.complaint", str(seq // 3),
                unit.pk, chain.canonical_json({"fields": ["identity", "text"], "n": seq % 97}),
                version,
            )
            message = chain.message(values)
            mac = chain.compute_mac(key, values)  # what record() does
            prevs.append(message[:64])
            tails.append(message[64:])
            rows.append((*values, mac))
            prev = mac
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
    ChainHead.objects.update_or_create(pk=ChainHead.ONLY, defaults={"seq": count, "mac": prev})
    return prevs, tails


def floor_seconds(prevs: list[bytes], tails: list[bytes], repeats: int) -> float:
    """The bare chain: HMAC-SHA256 over each message, the result feeding the next message."""
    import hashlib
    import hmac

    from vault.keyring import keyring

    keyed = hmac.new(keyring.key("audit", keyring.active_version("audit")), None, hashlib.sha256)
    best, expected_last = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        prev = prevs[0]
        for tail in tails:
            digest = keyed.copy()
            digest.update(prev)
            digest.update(tail)
            prev = digest.hexdigest().encode()
        best = min(best, time.perf_counter() - started)
        assert expected_last in (None, prev)
        expected_last = prev
    return best


def verify_seconds(count: int, jobs: int, repeats: int) -> float:
    from audit.services import verify_chain

    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        result = verify_chain(jobs=jobs)
        best = min(best, time.perf_counter() - started)
        if not (result.ok and result.checked == count and result.checkpoints == 1):
            raise SystemExit(f"verification failed on an intact chain: {result}")
    return best


def run(count: int, repeats: int):
    from django.conf import settings

    from audit.services import make_checkpoint

    started = time.perf_counter()
    prevs, tails = generate(count)
    make_checkpoint()
    generated = time.perf_counter() - started
    size = os.path.getsize(settings.DATABASES["default"]["NAME"]) / 1e6
    print(f"events                      {count:>12,}   written in {generated:.1f} s "
          f"({size:.0f} MB SQLite file, triggers on)")

    floor = floor_seconds(prevs, tails, repeats)
    del prevs, tails
    print(f"floor: HMAC-SHA256 chain    {count / floor:>12,.0f} events/s   {floor:6.2f} s")

    jobs = min(os.cpu_count() or 1, 8)  # verify_audit's default
    figures = [("verify, 1 process", 1)]
    if jobs > 1:
        figures.append((f"verify, {jobs} processes", jobs))
    ratio = seconds = None
    for label, processes in figures:
        seconds = verify_seconds(count, processes, repeats)
        ratio = floor / seconds
        print(f"{label:27} {count / seconds:>12,.0f} events/s   {seconds:6.2f} s"
              f"   ratio {ratio:.2f}")
    per_million = seconds * 1_000_000 / count
    print(f"target ratio >= {TARGET_RATIO} (verify_audit's default, {jobs} processes): "
          f"{'met' if ratio >= TARGET_RATIO else 'NOT met'} ({ratio:.2f})")
    print(f"target 1,000,000 events < {TARGET_SECONDS_PER_MILLION:.0f} s: "
          f"{'met' if per_million < TARGET_SECONDS_PER_MILLION else 'NOT met'} "
          f"({per_million:.1f} s{'' if count == 1_000_000 else ', extrapolated'})")


if __name__ == "__main__":
    main()
