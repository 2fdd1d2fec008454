"""Monthly report figures over 1,000,000 complaints on PostgreSQL: one unit's month and the
national consolidation of 30 units, each against one GROUP BY of the same month.

The script makes a database of its own, `bench_report`, on the PostgreSQL server that
DATABASE_URL names (postgres://postgres@127.0.0.1:5432 when DATABASE_URL names none),
migrates it with the development settings and a throw-away keyring (bench/_setup.py's
conventions), and drops it at the end. It seeds with INSERT ... SELECT over generate_series,
from one template row of each kind made through the ORM (so every sealed column holds real
ciphertext; one data key is shared by all rows, which changes nothing the figures read):
1,000,000 complaints (100,000 with --quick) in 30 departments over the last 36 months, in
every channel, kind and status, with their clocks; 80 % triaged with a category, 2 %
corruption-related, each of those referred once (a quarter twice) in every state, some with
the agency's recommendation or notice; three box openings per unit and month, some empty.

Measured in the same run:
  unit:     reporting.figures.period_figures([unit], month) for one department's month, and
            reporting.services.draft (figures, checkpoint and the saved draft) for a month
            not drafted yet;
  national: period_figures(all 30 units, month) + per_unit(all 30 units, month);
  floor:    for the unit, one SELECT channel, COUNT(*) ... WHERE unit_id = %s AND received_at
            in the month GROUP BY channel; for the nation, one SELECT unit_id, channel,
            COUNT(*) ... WHERE received_at in the month GROUP BY unit_id, channel; both on a
            raw cursor.
The ratio is floor p95 / p95 (as bench/tracker.py): 1 would be a report as cheap as one count.
Targets: a unit's month under 2 s, the national month under 5 s, within 3x the floor (ratio
>= 0.33). Missing a target is reported, not an error.

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
UNITS = 30
MONTHS = 36
TARGET_UNIT_MS, TARGET_NATIONAL_MS, TARGET_RATIO = 2000.0, 5000.0, 1 / 3
CHANNELS = ["web", "phone", "phone", "walk_in", "walk_in", "letter", "complaint_box",
            "suggestion_box", "notebook", "email", "social"]
STATUSES = ["closed", "closed", "closed", "closed", "acknowledged", "in_progress", "referred",
            "new"]
REFERRAL_STATES = ["concluded", "concluded", "acknowledged", "acknowledged", "delivered",
                   "returned", "prepared", "approved", "awaiting_letter", "failed"]
CORRUPT_CODES = ["bribery", "conflict_of_interest", "abuse_of_office"]
OTHER_CODES = ["red_tape", "service_quality", "staff_conduct", "suggestion", "praise", "other"]
# Not in the migrations: --suggested-indexes adds them after seeding, to show what they save.
# The clocks count what fell due in the month (acknowledge_due, resolve_due, refer_due), which
# no existing index serves: without them each clock reads all of a unit's complaints.
SUGGESTED_INDEXES = [
    "CREATE INDEX bench_complaint_unit_acknowledge_due "
    "ON intake_complaint (unit_id, acknowledge_due)",
    "CREATE INDEX bench_complaint_unit_resolve_due ON intake_complaint (unit_id, resolve_due)",
    "CREATE INDEX bench_triage_refer_due ON routing_triagedecision (refer_due) "
    "WHERE current AND corruption_related",
]


def pick(expression: str, choices: int) -> str:
    """SQL for a number in [0, choices) that looks random but is the same every run (a hash
    of `expression`), so no two choices line up with each other or with the unit."""
    return f"mod(abs(hashint8({expression})::bigint), {choices})"


CORRUPT = pick("c.id * 11", 50)  # 2 % of complaints are corruption-related


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


# --- seeding -----------------------------------------------------------------------------------

def _columns(model, overrides: dict[str, str]) -> tuple[str, str]:
    """The INSERT's column list and the SELECT's expressions: `overrides` by column, the
    template row's value (alias t) for every other column but the primary key."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(f'"{field.column}"')
        values.append(overrides.pop(field.column, f't."{field.column}"'))
    if overrides:
        raise SystemExit(f"{model.__name__} has no column {sorted(overrides)}")
    return ", ".join(names), ", ".join(values)


def templates(unit, people, agency, data_key) -> dict:
    """One complaint, triage decision and referral made through the ORM, far in the past
    (outside every month measured), whose sealed columns the seeded rows copy."""
    from intake.models import Channel, Complaint
    from routing.models import Referral, TriageDecision

    long_ago = datetime(2000, 1, 3, 10, tzinfo=UB)
    complaint = Complaint(data_key=data_key, unit=unit, reference="TEMPLATE-1",
                          channel=Channel.LETTER, received_at=long_ago,
                          acknowledge_due=long_ago.date(), resolve_due=long_ago.date())
    complaint.body = "Бичиг хэргийн ажилтан мөнгө нэхсэн, дараалал удаан."
    complaint.save()
    decision = TriageDecision(complaint=complaint, data_key=data_key, corruption_related=False,
                              decided_by=people["officer"], decided_at=long_ago)
    decision.reason = "Үйлчилгээний чанар."
    decision.save()
    referral = Referral(reference="TEMPLATE-1-R1", complaint=complaint, unit=unit,
                        data_key=data_key, agency=agency, prepared_by=people["officer"],
                        prepared_at=long_ago)
    referral.cover_letter = "Танай байгууллагад шилжүүлж байна."
    referral.save()
    return {"complaint": complaint, "decision": decision, "referral": referral}


def seed(total: int, first_month: date, end: datetime) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from intake.models import BoxOpening, Complaint
    from org.models import Membership, Role, Unit
    from outbox.models import Agency
    from routing.models import AgencyAnswer, Category, Referral, TriageDecision
    from vault.models import DataKey

    national = Unit.objects.create(code="UBEG", kind=Unit.Kind.NATIONAL,
                                   name_mn="Улсын бүртгэлийн ерөнхий газар",
                                   name_en="General Authority for State Registration")
    units = [Unit.objects.create(code=f"D{number:02d}", kind=Unit.Kind.DEPARTMENT,
                                 parent=national, name_mn=f"Хэлтэс {number:02d}",
                                 name_en=f"Department {number:02d}")
             for number in range(1, UNITS + 1)]
    User = get_user_model()
    people = {}
    for name, role in (("clerk", Role.CLERK), ("officer", Role.OFFICER), ("head", Role.HEAD)):
        people[name] = User.objects.create_user(username=name, password=None)
        for unit in units:
            Membership.objects.create(user=people[name], unit=unit, role=role)
    data_key = DataKey.objects.create_fresh()
    agencies = []
    for code, delivery, kind in (("atg", Agency.Delivery.API, Agency.Kind.ANTI_CORRUPTION),
                                 ("police", Agency.Delivery.LETTER, Agency.Kind.POLICE)):
        agency = Agency(data_key=data_key, code=code, name_mn=f"{code} газар",
                        name_en=f"{code} office", kind=kind, delivery=delivery,
                        is_default=code == "atg", api_url="https://atg.example.mn/api/",
                        postal_address="Улаанбаатар")
        agency.api_secret = "bench-secret"
        agency.save()
        agencies.append(agency)
    made = templates(units[0], people, agencies[0], data_key)
    codes = dict(Category.objects.values_list("code", "pk"))

    start = datetime.combine(first_month, datetime.min.time(), tzinfo=UB)
    step_us = (end - start) / timedelta(microseconds=1) / total
    unit_ids = [unit.pk for unit in units]
    local = "(s.at AT TIME ZONE 'Asia/Ulaanbaatar')::date"
    complaint_columns, complaint_values = _columns(Complaint, {
        "uid": "gen_random_uuid()",
        "unit_id": f"(%(units)s::bigint[])[1 + mod(s.i, {UNITS})]",
        "reference": "'B-' || s.i",
        "channel": f"(%(channels)s::text[])[1 + {pick('s.i', len(CHANNELS))}]",
        "kind": f"CASE WHEN {pick('-s.i', 5)} = 0 THEN 'suggestion' ELSE 'complaint' END",
        "status": "s.status",
        "received_at": "s.at",
        "logged_at": "s.at",
        "acknowledge_due": f"{local} + 9",
        # A few never acknowledged; most in time, some late.
        "acknowledged_at": (f"CASE WHEN {pick('s.i * 3', 11)} = 0 THEN NULL "
                            f"ELSE s.at + {pick('s.i * 5', 13)} * interval '1 day' END"),
        "resolve_due": f"{local} + 42",
        "closed_at": ("CASE WHEN s.status = 'closed' "
                      f"THEN s.at + {pick('s.i * 7', 50)} * interval '1 day' END"),
    })
    decision_columns, decision_values = _columns(TriageDecision, {
        "uid": "gen_random_uuid()",
        "complaint_id": "c.id",
        "corruption_related": f"{CORRUPT} = 1",
        "refer_due": (f"CASE WHEN {CORRUPT} = 1 THEN "
                      "(c.received_at AT TIME ZONE 'Asia/Ulaanbaatar')::date + 7 END"),
        "decided_at": "c.received_at + interval '1 day'",
        "current": "true",
    })
    referral_columns, referral_values = _columns(Referral, {
        "uid": "gen_random_uuid()",
        "reference": "c.reference || '-R' || n.k",
        "complaint_id": "c.id",
        "unit_id": "c.unit_id",
        "agency_id": "(%(agencies)s::bigint[])[1 + mod(c.id + n.k, 2)]",
        "state": "r.state",
        "prepared_at": "c.received_at + (1 + n.k) * interval '1 day'",
        "approved_at": ("CASE WHEN r.state IN ('prepared', 'returned') THEN NULL "
                        "ELSE c.received_at + (2 + n.k) * interval '1 day' END"),
        "acknowledge_expected_by": (
            "CASE WHEN r.state IN ('prepared', 'returned', 'approved') THEN NULL ELSE "
            "(c.received_at AT TIME ZONE 'Asia/Ulaanbaatar')::date + 12 END"),
        "acknowledged_at": ("CASE WHEN r.state IN ('acknowledged', 'concluded') "
                            "THEN c.received_at + (5 + mod(c.id, 15)) * interval '1 day' END"),
        "concluded_at": ("CASE WHEN r.state = 'concluded' "
                         "THEN c.received_at + 60 * interval '1 day' END"),
        "agency_reference": ("CASE WHEN r.state IN ('acknowledged', 'concluded') "
                             "THEN 'АТГ-' || c.id ELSE '' END"),
    })
    answer_columns = ('"uid", "referral_id", "data_key_id", "kind", "via", "event_id", '
                      '"agency_reference", "status", "text", "answered_on", "received_at", '
                      '"entered_by_id"')
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"WITH s AS (SELECT i, %(start)s::timestamptz + (i - 1) * %(step)s "
            f"  * interval '1 microsecond' AS at, "
            f"  (%(statuses)s::text[])[1 + {pick('i * 13', len(STATUSES))}] AS status "
            f"  FROM generate_series(1, %(total)s) AS i) "
            f"INSERT INTO intake_complaint ({complaint_columns}) SELECT {complaint_values} "
            f"FROM s CROSS JOIN (SELECT * FROM intake_complaint WHERE id = %(template)s) t",
            {"start": start, "step": step_us, "total": total, "units": unit_ids,
             "channels": CHANNELS, "statuses": STATUSES, "template": made["complaint"].pk})
        cursor.execute(
            f"INSERT INTO routing_triagedecision ({decision_columns}) SELECT {decision_values} "
            f"FROM intake_complaint c CROSS JOIN "
            f"(SELECT * FROM routing_triagedecision WHERE id = %(template)s) t "
            f"WHERE {pick('c.id * 17', 5)} <> 0 AND c.id <> %(complaint)s",
            {"template": made["decision"].pk, "complaint": made["complaint"].pk})
        cursor.execute(
            "INSERT INTO routing_triagedecision_categories (triagedecision_id, category_id) "
            "SELECT d.id, CASE WHEN d.corruption_related "
            "  THEN (%(corrupt)s::bigint[])[1 + mod(d.id, 3)] "
            "  ELSE (%(other)s::bigint[])[1 + mod(d.id, 6)] END "
            "FROM routing_triagedecision d WHERE d.id <> %(template)s",
            {"corrupt": [codes[code] for code in CORRUPT_CODES],
             "other": [codes[code] for code in OTHER_CODES], "template": made["decision"].pk})
        cursor.execute(
            f"INSERT INTO routing_referral ({referral_columns}) SELECT {referral_values} "
            f"FROM routing_triagedecision d JOIN intake_complaint c ON c.id = d.complaint_id "
            f"CROSS JOIN LATERAL (SELECT k FROM generate_series(1, "
            f"  CASE WHEN {pick('c.id * 19', 4)} = 1 THEN 2 ELSE 1 END) AS k) n "
            f"CROSS JOIN LATERAL (SELECT (%(states)s::text[])"
            f"  [1 + {pick('c.id * 23 + n.k', len(REFERRAL_STATES))}] AS state) r "
            f"CROSS JOIN (SELECT * FROM routing_referral WHERE id = %(template)s) t "
            f"WHERE d.corruption_related",
            {"states": REFERRAL_STATES, "agencies": [agency.pk for agency in agencies],
             "template": made["referral"].pk})
        cursor.execute(
            f"INSERT INTO routing_agencyanswer ({answer_columns}) "
            f"SELECT gen_random_uuid(), r.id, r.data_key_id, "
            f"  CASE WHEN mod(r.id, 2) = 0 THEN 'recommendation' ELSE 'notice' END, 'staff', NULL, "
            f"  r.agency_reference, '', NULL, "
            f"  (r.prepared_at AT TIME ZONE 'Asia/Ulaanbaatar')::date + 20, "
            f"  r.prepared_at + interval '20 days', NULL "
            f"FROM routing_referral r "
            f"WHERE r.state IN ('acknowledged', 'concluded') AND mod(r.id, 3) = 0")
        cursor.execute(
            "INSERT INTO intake_boxopening (unit_id, box, opened_at, opened_by_id, witness_id, "
            "  slip_count, reconciled_at, created_at) "
            "SELECT u, CASE WHEN d = 15 THEN 'suggestion_box' ELSE 'complaint_box' END, "
            "  m + (d - 1) * interval '1 day' + interval '10 hours', %(clerk)s, %(officer)s, "
            "  mod(u + d + extract(month FROM m)::int, 4), NULL, m "
            "FROM unnest(%(units)s::bigint[]) AS u, "
            "  generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '1 day', "
            "    interval '1 month') AS m, unnest(ARRAY[5, 15, 25]) AS d",
            {"units": unit_ids, "start": start, "end": end, "clerk": people["clerk"].pk,
             "officer": people["officer"].pk})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts = {
        "complaints": Complaint.objects.count() - 1,
        "triaged": TriageDecision.objects.count() - 1,
        "corruption": TriageDecision.objects.filter(corruption_related=True).count(),
        "referrals": Referral.objects.count() - 1,
        "answers": AgencyAnswer.objects.count(),
        "openings": BoxOpening.objects.count(),
    }
    return {"units": units, "people": people, "counts": counts}


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

    from reporting.figures import month_period, per_unit, period_figures

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
    """services.draft of `month` for units that have no report on it yet: the figures, the
    checkpoint when one is due, the saved draft, its audit event and notification."""
    from reporting import services

    times = []
    for unit in world["units"][:rounds]:
        times.append(timed(lambda u=unit: services.draft(unit=u, period=month)))
    return times


def line(label: str, times: list[float], floor: list[float], target_ms: float) -> str:
    p50, p95, floor_p95 = percentile(times, 0.5), percentile(times, 0.95), percentile(floor, 0.95)
    ratio = floor_p95 / p95

    def yes(flag):
        return "meets" if flag else "MISSES"

    return (f"{label}: p50 {p50:,.1f} ms, p95 {p95:,.1f} ms vs floor p95 {floor_p95:,.2f} ms "
            f"(p50 {percentile(floor, 0.5):,.2f} ms), ratio {ratio:.3f} (floor/time)\n"
            f"  target < {target_ms / 1000:.0f} s: {yes(p95 < target_ms)}; within 3x the floor "
            f"(ratio >= {TARGET_RATIO:.2f}): {yes(ratio >= TARGET_RATIO)}"
            f" ({p95 / floor_p95:,.1f} floors)")


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
    admin_url, database_url = server_urls()
    workdir = Path(tempfile.mkdtemp(prefix="shugel-bench-report-"))
    create_database(admin_url)
    try:
        started = time.perf_counter()
        set_up_django(database_url, workdir)
        migrated = time.perf_counter() - started

        from django.db import connection
        from django.utils import timezone

        from reporting.services import last_month

        # The 36 months up to the end of last month; the drafts are of last month.
        last = last_month(timezone.localdate())
        months = [last]
        while len(months) < MONTHS:
            months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
        end = datetime.combine(last + timedelta(days=32), datetime.min.time(),
                               tzinfo=UB).replace(day=1)
        started = time.perf_counter()
        world = seed(total, months[0], end)
        seeded = time.perf_counter() - started
        if args.suggested_indexes:
            with connection.cursor() as cursor:
                for statement in SUGGESTED_INDEXES:
                    cursor.execute(statement)
                cursor.execute("ANALYZE")
        connection.ensure_connection()
        version = connection.connection.info.server_version

        result = measure(world, months, rounds)
        drafts = measure_drafts(world, last, rounds)
    finally:
        drop_database(admin_url)
        shutil.rmtree(workdir, ignore_errors=True)

    counts = world["counts"]
    print(f"report: PostgreSQL {version // 10000}.{version % 10000}, "
          f"{counts['complaints']:,} complaints in {UNITS} units over {MONTHS} months"
          f"{' (quick)' if args.quick else ''}: {counts['triaged']:,} triaged, "
          f"{counts['corruption']:,} corruption-related, {counts['referrals']:,} referrals, "
          f"{counts['answers']:,} answers, {counts['openings']:,} box openings; "
          f"migrated in {migrated:.1f} s, seeded in {seeded:.1f} s; {rounds} rounds")
    if args.suggested_indexes:
        print(f"with the {len(SUGGESTED_INDEXES)} suggested indexes (SUGGESTED_INDEXES), "
              f"which the migrations do not make")
    print(f"a unit's month holds ~{total // UNITS // MONTHS:,} complaints "
          f"({result['listed']} corruption-related listed); the nation's "
          f"~{total // MONTHS:,} ({result['national_listed']} listed)")
    print(line(f"report unit ({result['unit_queries']} queries)", result["unit"],
               result["unit_floor"], TARGET_UNIT_MS))
    print(line("report unit draft (services.draft, saved)", drafts, result["unit_floor"],
               TARGET_UNIT_MS))
    print(line(f"report national ({result['national_queries']} queries)", result["national"],
               result["national_floor"], TARGET_NATIONAL_MS))


if __name__ == "__main__":
    main()
