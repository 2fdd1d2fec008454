"""What checkpoints every minute cost: the worker's minute when nothing moved and when
something did, and what each checkpoint adds to verification, against recording one event
(the floor, measured in the same run on the same temp SQLite file).

The schedule (audit/schedules.py) runs `checkpoint_if_moved` every minute. A quiet minute
must cost about what recording one event costs; a checkpoint is a signature, a file written
with fsync and a row; and each checkpoint kept adds one signature check to `verify_audit`.

    .venv/bin/python bench/audit_checkpoints.py [--quick]
"""

import time

from _setup import arguments, best_rate, cleanup, django_in_tempdir


def main():
    args = arguments(__doc__.splitlines()[0]).parse_args()
    workdir = django_in_tempdir()
    try:
        run(checkpoints=500 if args.quick else 3000)
    finally:
        cleanup(workdir)


def run(checkpoints: int):
    from django.db import transaction

    from audit.services import SYSTEM, checkpoint_if_moved, record, verify_chain

    def events(count):
        for _ in range(count):
            with transaction.atomic():
                record(actor=SYSTEM, action="bench.step")

    def quiet_minutes(count):
        for _ in range(count):
            assert checkpoint_if_moved() is None

    floor = best_rate(events, 500)
    checkpoint_if_moved()
    quiet = best_rate(quiet_minutes, 2000)

    started = time.perf_counter()
    for _ in range(checkpoints):
        events(1)
        checkpoint_if_moved()
    moved = (time.perf_counter() - started) / checkpoints - 1 / floor

    started = time.perf_counter()
    result = verify_chain(jobs=1)
    with_checkpoints = time.perf_counter() - started
    assert result.ok and result.checkpoints == checkpoints + 1, result
    per_checkpoint = with_checkpoints / result.checkpoints  # events are a small share

    print(f"record one event (floor)      {1e6 / floor:10.0f} µs")
    print(f"quiet minute (nothing moved)  {1e6 / quiet:10.0f} µs   ratio {floor / quiet:5.2f}")
    print(f"minute with a new checkpoint  {1e6 * moved:10.0f} µs   ratio "
          f"{moved * floor:5.2f}")
    print(f"verification, per checkpoint  {1e6 * per_checkpoint:10.0f} µs "
          f"({result.checkpoints:,} checkpoints, {result.checked:,} events, "
          f"{with_checkpoints:.2f} s)")
    busy_year = 250 * 9 * 60  # a checkpoint every minute of every working hour
    print(f"a busy year of checkpoints ({busy_year:,}) adds about "
          f"{busy_year * per_checkpoint:.0f} s to verify_audit")


if __name__ == "__main__":
    main()
