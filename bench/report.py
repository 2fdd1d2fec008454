"""Monthly report figures over 1,000,000 complaints on PostgreSQL: one unit's month and the
national consolidation of 30 units, each against one GROUP BY of the same month.

The script makes a database of its own, `bench_report`, on the PostgreSQL server that
DATABASE_URL names (postgres://postgres@127.0.0.1:5432 when DATABASE_URL names none),
migrates it with the development settings and a throw-away keyring (bench/_setup.py's
conventions), and drops it at the end. It seeds (bench/_report_seed.py) with INSERT ...
SELECT over generate_series, from one template row of each kind made through the ORM (so
every sealed column holds real ciphertext; one data key is shared by all rows, which
changes nothing the figures read):
1,000,000 complaints (100,000 with --quick) in 30 departments over the last 36 months, in
every channel, kind and status, with their clocks; 80 % triaged with a category, 2 %
corruption-related, each of those referred once (a quarter twice) in every state, some with
the agency's recommendation or notice; three box openings per unit and month, some empty.

Measured in the same run:
  unit:     reporting.figures.period_figures([unit], month) for one department's month, and
            reporting.services.report_draft (figures, checkpoint and the saved draft) for a month
            not drafted yet;
  national: period_figures(all 30 units, month) + per_unit(all 30 units, month);
  floor:    for the unit, one SELECT channel, COUNT(*) ... WHERE unit_id = %s AND received_at
            in the month GROUP BY channel; for the nation, one SELECT unit_id, channel,
            COUNT(*) ... WHERE received_at in the month GROUP BY unit_id, channel; both on a
            raw cursor.
The figures' counts come from the per-unit, per-month counters (intake.tallies), which the
seed fills from the rows in bulk after inserting them; the run checks once that the figures
read from the counters equal those counted from the rows (source=ROWS).
The ratio is p95 / floor p95, in floors: 1 is a report as cheap as one count.
Targets: a unit's month within 1 floor, the national month within 2 floors (and under 2 s
and 5 s). Missing a target is reported, not an error.

    .venv/bin/python bench/report.py [--quick] [--complaints N] [--suggested-indexes]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/report.py
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from _setup import ROOT, arguments

UB = ZoneInfo("Asia/Ulaanbaatar")
DATABASE = "bench_report"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
UNITS = 30  # as bench/_report_seed.py makes them
MONTHS = 36
TARGET_UNIT_MS, TARGET_NATIONAL_MS = 2000.0, 5000.0
TARGET_UNIT_FLOORS, TARGET_NATIONAL_FLOORS = 1.0, 2.0
# Not in the migrations: --suggested-indexes adds them after seeding, to show what they save.
# (The reports' clocks are counters now; these serve only a count from the rows.)
# The clocks count what fell due in the month (acknowledge_due, resolve_due, refer_due), which
# no existing index serves: without them each clock reads all of a unit's complaints.
SUGGESTED_INDEXES = [
    "CREATE INDEX bench_complaint_unit_acknowledge_due "
    "ON intake_complaint (unit_id, acknowledge_due)",
    "CREATE INDEX bench_complaint_unit_resolve_due ON intake_complaint (unit_id, resolve_due)",
    "CREATE INDEX bench_triage_refer_due ON routing_triagedecision (refer_due) "
    "WHERE current AND corruption_related",
]


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


# --- the database ----------------------------------------------------------------------------

def server_urls() -> tuple[str, str]:
    """(the maintenance database's URL, the bench database's URL) on the chosen server."""
    given = os.environ.get("DATABASE_URL", "")
    if urlsplit(given).scheme not in {"postgres", "postgresql"}:
        given = DEFAULT_SERVER
    parts = urlsplit(given)
    return (urlunsplit(parts._replace(path="/postgres")),
            urlunsplit(parts._replace(path=f"/{DATABASE}")))


def create_database(admin_url: str) -> None:
    import psycopg

    try:
        admin = psycopg.connect(admin_url, autocommit=True)
    except psycopg.OperationalError as error:
        raise SystemExit(f"bench/report.py runs on PostgreSQL, and {admin_url} does not "
                         f"answer ({type(error).__name__}); set DATABASE_URL") from None
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database(admin_url: str) -> None:
    import psycopg

    if "django" in sys.modules and os.environ.get("DJANGO_SETTINGS_MODULE"):
        from django.db import connections

        connections.close_all()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def set_up_django(database_url: str, workdir: Path) -> None:
    """As bench/_setup.py's django_in_tempdir, on PostgreSQL."""
    os.environ.update({
        "SHUGEL_ENV": "development",
        "DEBUG": "false",
        "SHUGEL_DATA_DIR": str(workdir),
        "DATABASE_URL": database_url,
        "SHUGEL_KEYRING": str(workdir / "keyring.json"),
        "SHUGEL_MEDIA_ROOT": str(workdir / "media"),
        "SHUGEL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    })
    os.environ.pop("SHUGEL_KEYRING_JSON", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from vault.keyring import Keyring, reload_keyring

    Keyring.generate().save(workdir / "keyring.json")
    reload_keyring()
    call_command("migrate", verbosity=0)


# --- measuring ---------------------------------------------------------------------------------

def timed(operation) -> float:
    started = time.perf_counter()
    operation()
    return (time.perf_counter() - started) * 1000


def queries_of(operation) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        operation()
    return len(captured)


def floor_sql(unit: bool) -> str:
    if unit:
        return ("SELECT channel, COUNT(*) FROM intake_complaint WHERE unit_id = %s "
                "AND received_at >= %s AND received_at < %s GROUP BY channel")
    return ("SELECT unit_id, channel, COUNT(*) FROM intake_complaint "
            "WHERE received_at >= %s AND received_at < %s GROUP BY unit_id, channel")


def measure(world: dict, months: list[date], rounds: int) -> dict:
    from django.db import connection

    from reporting.figures import ROWS, month_period, per_unit, period_figures

    unit_ids = [unit.pk for unit in world["units"]]
    # The recent year, a different unit and month each round.
    plan = [(unit_ids[(7 * number) % UNITS], month_period(months[-1 - number % 12]))
            for number in range(rounds)]
    national_plan = [month_period(months[-1 - number % 12]) for number in range(rounds)]

    def unit_report(unit_id, period):
        return period_figures([unit_id], period)

    def national_report(period):
        return period_figures(unit_ids, period), per_unit(unit_ids, period)

    def floor(unit_id, period):
        with connection.cursor() as cursor:
            if unit_id is None:
                cursor.execute(floor_sql(False), [period.start, period.end])
            else:
                cursor.execute(floor_sql(True), [unit_id, period.start, period.end])
            return cursor.fetchall()

    # Warm-up (plans cached, pages in memory), and the queries of each.
    result = {"unit_queries": queries_of(lambda: unit_report(*plan[0])),
              "national_queries": queries_of(lambda: national_report(national_plan[0])),
              "listed": len(unit_report(*plan[0])["corruption"]["complaints"]),
              "national_listed": len(national_report(national_plan[0])[0]["corruption"]
                                     ["complaints"])}
    floor(*plan[0])
    floor(None, national_plan[0])
    result["agree"] = (national_report(national_plan[0])[0] == period_figures(
        unit_ids, national_plan[0], source=ROWS))

    # Interleaved, so that whatever else the machine does hits both alike.
    for key in ("unit", "unit_floor", "national", "national_floor"):
        result[key] = []
    for (unit_id, period), national_period in zip(plan, national_plan, strict=True):
        result["unit"].append(timed(lambda u=unit_id, p=period: unit_report(u, p)))
        result["unit_floor"].append(timed(lambda u=unit_id, p=period: floor(u, p)))
        result["national"].append(timed(lambda p=national_period: national_report(p)))
        result["national_floor"].append(timed(lambda p=national_period: floor(None, p)))
    return result


def measure_drafts(world: dict, month: date, rounds: int) -> list[float]:
    """services.report_draft of `month` for units that have no report on it yet: the
    figures, the checkpoint when one is due, the saved draft, its audit event and
    notification."""
    from reporting import services

    times = []
    for unit in world["units"][:rounds]:
        times.append(timed(lambda u=unit: services.report_draft(unit=u, period=month)))
    return times


def line(label: str, times: list[float], floor: list[float], target_ms: float,
         target_floors: float) -> str:
    p50, p95, floor_p95 = percentile(times, 0.5), percentile(times, 0.95), percentile(floor, 0.95)
    ratio = p95 / floor_p95

    def yes(flag):
        return "meets" if flag else "MISSES"

    return (f"{label}: p50 {p50:,.1f} ms, p95 {p95:,.1f} ms vs floor p95 {floor_p95:,.2f} ms "
            f"(p50 {percentile(floor, 0.5):,.2f} ms), ratio {ratio:,.2f} floors (time/floor)\n"
            f"  target < {target_ms / 1000:.0f} s: {yes(p95 < target_ms)}; within "
            f"{target_floors:g}x the floor: {yes(ratio <= target_floors)}")


def _months() -> tuple[list[date], datetime]:
    """The 36 months up to the end of last month (the drafts are of last month), and the
    moment the last of them ends."""
    from django.utils import timezone

    from reporting.services import last_month

    last = last_month(timezone.localdate())
    months = [last]
    while len(months) < MONTHS:
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    end = datetime.combine(last + timedelta(days=32), datetime.min.time(),
                           tzinfo=UB).replace(day=1)
    return months, end


def run(args, total: int, rounds: int) -> dict:
    """Make, seed and measure the database, and drop it again whatever happens."""
    admin_url, database_url = server_urls()
    workdir = Path(tempfile.mkdtemp(prefix="shugel-bench-report-"))
    create_database(admin_url)
    try:
        started = time.perf_counter()
        set_up_django(database_url, workdir)
        migrated = time.perf_counter() - started

        from _report_seed import seed
        from django.db import connection

        months, end = _months()
        started = time.perf_counter()
        world = seed(total, months[0], end)
        seeded = time.perf_counter() - started
        if args.suggested_indexes:
            with connection.cursor() as cursor:
                for statement in SUGGESTED_INDEXES:
                    cursor.execute(statement)
                cursor.execute("ANALYZE")
        connection.ensure_connection()
        return {"version": connection.connection.info.server_version, "world": world,
                "migrated": migrated, "seeded": seeded,
                "result": measure(world, months, rounds),
                "drafts": measure_drafts(world, months[-1], rounds)}
    finally:
        drop_database(admin_url)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=None,
                        help="how many complaints to seed (default 1,000,000; 100,000 with "
                             "--quick)")
    parser.add_argument("--suggested-indexes", action="store_true",
                        help="add the indexes this script suggests (SUGGESTED_INDEXES) before "
                             "measuring")
    args = parser.parse_args()
    total = args.complaints or (100_000 if args.quick else 1_000_000)
    rounds = 10 if args.quick else 20
    done = run(args, total, rounds)
    version, counts, result = done["version"], done["world"]["counts"], done["result"]
    print(f"report: PostgreSQL {version // 10000}.{version % 10000}, "
          f"{counts['complaints']:,} complaints in {UNITS} units over {MONTHS} months"
          f"{' (quick)' if args.quick else ''}: {counts['triaged']:,} triaged, "
          f"{counts['corruption']:,} corruption-related, {counts['referrals']:,} referrals, "
          f"{counts['answers']:,} answers, {counts['openings']:,} box openings; "
          f"migrated in {done['migrated']:.1f} s, seeded in {done['seeded']:.1f} s; "
          f"{rounds} rounds")
    if args.suggested_indexes:
        print(f"with the {len(SUGGESTED_INDEXES)} suggested indexes (SUGGESTED_INDEXES), "
              f"which the migrations do not make")
    print(f"a unit's month holds ~{total // UNITS // MONTHS:,} complaints "
          f"({result['listed']} corruption-related listed); the nation's "
          f"~{total // MONTHS:,} ({result['national_listed']} listed)")
    print(f"counters: {counts['tallies']:,} rows, filled from the rows in "
          f"{done['world']['tallied']:.1f} s; figures from the counters equal those counted "
          f"from the rows: {'yes' if result['agree'] else 'NO'}")
    print(line(f"report unit ({result['unit_queries']} queries)", result["unit"],
               result["unit_floor"], TARGET_UNIT_MS, TARGET_UNIT_FLOORS))
    print(line("report unit draft (services.report_draft, saved)", done["drafts"],
               result["unit_floor"], TARGET_UNIT_MS, TARGET_UNIT_FLOORS))
    print(line(f"report national ({result['national_queries']} queries)", result["national"],
               result["national_floor"], TARGET_NATIONAL_MS, TARGET_NATIONAL_FLOORS))


if __name__ == "__main__":
    main()
