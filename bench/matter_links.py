"""One matter across channels: how well and how fast Shugel suggests the unit's recent
complaints that are probably the same matter as a new one (intake.likeness, intake.matters).

Quality, on a SYNTHETIC set (bench/_matter_texts.py): 10,000 complaints in 10 units over a
year, 500 of them a planted second telling of another's matter through another channel
(sentences reordered, typing mistakes, greetings added, cut short, a clerk's third-person
note of a call, typed in Latin letters). Printed: the recall of the planted pairs (does the
later complaint suggest the earlier?), by wording alone and with the same phone, and the
false suggestions per 100 complaints. The thresholds were tuned on the set of seed 18; the
figures printed are of seed 19, a set generated afresh, never tuned on.

Speed: the time to sign one complaint (as a ratio to lower-casing and splitting its text),
and the time to suggest for one new complaint with 1,000,000 complaints' buckets in the
table (filled with bulk SQL: 100 units over five years; the new complaint's unit has its
window's worth of unrelated complaints that meet it in a bucket or two, as the generated
set shows unrelated complaints do), as a ratio to one indexed SELECT on the same table;
then the same with 10,000 near-identical complaints (50,000 in full) added to its window,
each sharing all its buckets, as a campaign of one text or a flood would make them.

    .venv/bin/python bench/matter_links.py [--quick] [--seed N] [--skip-speed]

--quick: 2,000 complaints with 100 planted, and 100,000 complaints for the speed.
"""

import random
import statistics
import sys
import time
from datetime import timedelta

from _matter_quality import measured_quality
from _matter_texts import generated, sentences, third_person
from _setup import ROOT, arguments, cleanup, django_in_tempdir

UNITS = 100
YEARS = 5
# Unrelated complaints of the new one's window that meet it in one bucket, and in two.
MEET_ONCE, MEET_TWICE = 40, 8
# Near-identical complaints in the new one's window, for the time of a flooded panel (5x full).
FLOOD = 10_000


def quality(args, likeness, window_days: int, keys: int = 3) -> None:
    """The figures under `keys` random keys (the signature is random in the key)."""
    total, planted = (2_000, 100) if args.quick else (10_000, 500)
    items = generated(total, planted, units=10 if not args.quick else 2, days=365,
                      seed=args.seed)
    from intake.matters import PER_BUCKET

    runs = [measured_quality(items, likeness, window_days=window_days, per_bucket=PER_BUCKET)
            for _ in range(keys)]
    started = time.perf_counter()
    for item in items:
        item.text.lower().split()
    floor = (time.perf_counter() - started) / total
    print(f"synthetic set (seed {args.seed}): {total:,} complaints, {planted} planted pairs, "
          f"window {window_days} days; each figure over {keys} random keys: mean (min-max)")
    print(f"  shingles {likeness.SHINGLE} bytes, {likeness.SIGNATURE_SIZE} bins, "
          f"{likeness.BANDS} bands of {likeness.ROWS}, threshold {likeness.MIN_SIMILARITY}")
    for label, figure, target in (
            ("recall of planted pairs:      ", lambda q: q.recall, "(target >= 0.9)"),
            ("  by the wording alone:       ", lambda q: q.recall_by_text, ""),
            ("false suggestions / 100:      ", lambda q: q.false_per_100, "(target <= 2)")):
        values = [figure(run) for run in runs]
        print(f"  {label} {statistics.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})"
              f"  {target}")
    per = min(run.seconds_signing for run in runs) / total
    print(f"  signing one complaint:         {per * 1000:.2f} ms "
          f"({per / floor:.0f}x lower-casing and splitting it)")


def _fill(count: int, probe) -> float:
    """`count` complaints' buckets by bulk SQL (random values: unrelated complaints rarely
    meet), then the probe's window neighbours that meet it once or twice. Seconds taken."""
    from django.db import connection

    from intake.matter_models import LikenessBucket

    started = time.perf_counter()
    table = LikenessBucket._meta.db_table
    first_unit = probe.unit_id
    own = list(LikenessBucket.objects.filter(complaint=probe).values_list("bucket", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        # Faster to index once at the end than row by row (as a restore would).
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                       "AND tbl_name = %s AND sql IS NOT NULL", [table])
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            f"INSERT INTO {table} (complaint_id, unit_id, received_at, bucket, version) "  # noqa: S608
            "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)"
            " SELECT 1000000 + n / %s, %s + (n / %s) %% %s,"
            " datetime('2022-01-01', '+' || ((n / %s) %% %s) || ' hours'), random(), 1"
            " FROM seq",
            [count * likeness_bands(), likeness_bands(), first_unit, likeness_bands(), UNITS,
             likeness_bands(), YEARS * 365 * 24])
        for _name, sql in indexes:
            cursor.execute(sql)
        near = [(3_000_000 + i, first_unit, probe.received_at.strftime("%Y-%m-%d %H:%M:%S"),
                 own[i % len(own)], 1) for i in range(MEET_ONCE)]
        near += [(3_100_000 + i, first_unit, probe.received_at.strftime("%Y-%m-%d %H:%M:%S"),
                  value, 1) for i in range(MEET_TWICE) for value in own[i % 8:i % 8 + 2]]
        cursor.executemany(
            f"INSERT INTO {table} (complaint_id, unit_id, received_at, bucket, version) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)", near)
    return time.perf_counter() - started


def likeness_bands() -> int:
    from intake import likeness

    return likeness.BANDS


def _world():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from intake.models import Channel, Kind
    from intake.services import Content, staff_channel_log
    from org.models import Membership, Role, Unit

    units = Unit.objects.bulk_create([
        Unit(code=f"U{n:03d}", kind=Unit.Kind.DEPARTMENT, name_mn=f"Хэлтэс {n}",
             name_en=f"Unit {n}") for n in range(UNITS)])
    unit = Unit.objects.get(code="U000")
    clerk = get_user_model().objects.create_user(username="clerk", password="x" * 20)
    officer = get_user_model().objects.create_user(username="officer", password="x" * 20)
    Membership.objects.create(user=clerk, unit=unit, role=Role.CLERK)
    Membership.objects.create(user=officer, unit=unit, role=Role.OFFICER)

    def log(body):
        return staff_channel_log(unit=unit, channel=Channel.LETTER, kind=Kind.COMPLAINT,
                                 received_at=timezone.now(), logged_by=clerk,
                                 content=Content(body=body)).complaint

    rng = random.Random(7)
    told = sentences(rng)
    earlier = log(" ".join(told))
    return units, officer, earlier, log(" ".join(third_person(told)))


def speed(args) -> None:
    count = 100_000 if args.quick else 1_000_000
    from intake.matter_models import LikenessBucket
    from intake.matters import suggestions_for
    from intake.models import Complaint
    from org.models import Role

    units, officer, earlier, probe = _world()
    seconds = _fill(count, probe)
    rows = LikenessBucket.objects.count()
    visible = Complaint.objects.for_staff(officer, unit=probe.unit, roles={Role.OFFICER})
    found = suggestions_for(probe, visible)
    assert [s.complaint for s in found] == [earlier], found
    value = LikenessBucket.objects.filter(complaint=probe).values_list("bucket",
                                                                      flat=True)[0]

    def one_select():
        list(LikenessBucket.objects.filter(unit_id=probe.unit_id, bucket=value)
             .values_list("complaint_id", flat=True)[:1])

    floor = _timed(one_select)
    suggest = _timed(lambda: suggestions_for(probe, visible))
    print(f"speed: {count:,} complaints ({rows:,} bucket rows, {UNITS} units over "
          f"{YEARS} years; filled in {seconds:.0f} s)")
    print(f"  suggest for one new complaint: {suggest * 1000:.2f} ms "
          f"({suggest / floor:.1f}x one indexed SELECT of {floor * 1000:.3f} ms)")
    flood = FLOOD if args.quick else 5 * FLOOD
    _flood(flood, probe)
    flooded = _timed(lambda: suggestions_for(probe, visible), repeats=10)
    print(f"  the same, with {flood:,} near-identical complaints in its window (a campaign, "
          f"or a flood): {flooded * 1000:.2f} ms ({flooded / floor:.1f}x the SELECT)")


def _flood(count: int, probe) -> None:
    """`count` complaints of the probe's unit, received around it, that share every bucket
    of the probe: many people sending one text."""
    from django.db import connection

    from intake.matter_models import LikenessBucket

    table = LikenessBucket._meta.db_table
    own = list(LikenessBucket.objects.filter(complaint=probe).values_list("bucket", flat=True))
    at = probe.received_at
    rows = [(4_000_000 + n, probe.unit_id,
             (at - timedelta(minutes=n % 20_000)).strftime("%Y-%m-%d %H:%M:%S"), bucket, 1)
            for n in range(count) for bucket in own]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (complaint_id, unit_id, received_at, bucket, version) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)", rows)


def _timed(operation, repeats: int = 30) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        operation()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    # A throw-away database and keyring, never the developer's.
    workdir = django_in_tempdir(migrate=not args.skip_speed)
    try:
        from django.conf import settings

        from intake import likeness

        quality(args, likeness, settings.MATTER_WINDOW_DAYS)
        if not args.skip_speed:
            speed(args)
    finally:
        cleanup(workdir)


if __name__ == "__main__":
    main()
