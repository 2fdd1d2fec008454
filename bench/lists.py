"""The staff's list pages over 1,000,000 complaints and 100,000 referrals on PostgreSQL: the
queue, the head's tracker, the letters to post and the auditor's events, each page's p95 and
number of queries, against one indexed SELECT measured in the same run.

The script makes a database of its own, `bench_lists`, on the PostgreSQL server that
DATABASE_URL names (postgres://postgres@127.0.0.1:5432 when it names none), migrates it with
the development settings and a throw-away keyring, and drops it at the end. It seeds
(bench/_lists_seed.py) 1,000,000 complaints (40,000 with --quick) over 36 months in 30
departments, half of them in D01; one complaint in ten referred (100,000 referrals); one
audit event per complaint; D01's head and officer each recused from RECUSALS of D01's cases.
Then signed-in staff open each page through django.test.Client: first pages, a later page,
the filters people use, and the national head's and auditor's pages over all 30 units.

Measured in the same run, interleaved:
  page:  each request above, its time and its number of queries;
  floor: one SELECT of 50 referrals' own columns of D01 through a raw cursor, on the index
         (unit, prepared_at), newest first.
The ratio is floor p95 / page p95 (as bench/tracker.py). Target: every page's p95 under
TARGET_MS at 1,000,000 complaints, and the same number of queries at any size.
Also measured: the recusal exclusion of the queue's first page written as an anti-join
(NOT EXISTS on the recusal's (complaint, user) index) and as a list of the person's recused
cases read first (NOT IN a literal list), on a raw cursor.

    .venv/bin/python bench/lists.py [--quick] [--complaints N] [--explain] [--profile PAGE]

--profile PAGE (queue, tracker, letters or audit) prints, after the run, where each of that
page's requests spends its time: the functions of twenty requests under cProfile, by their
own time and by their time with what they call.
"""

import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import report
from _setup import arguments
from report import create_database, drop_database, percentile, set_up_django, timed

UB = ZoneInfo("Asia/Ulaanbaatar")
report.DATABASE = "bench_lists"  # create_database and drop_database use this name
MONTHS = 36
RECUSALS = 500
TARGET_MS = 50.0


def server_urls() -> tuple[str, str]:
    return report.server_urls()


def plan(world: dict) -> list[tuple[str, str, str, dict]]:
    """(page, who, url, query) for each request measured."""
    from django.urls import reverse

    def url(name, unit):
        return reverse(name, kwargs={"unit_code": unit})

    queue, tracker = url("intake:queue", "D01"), url("routing:tracker", "D01")
    letters, events = url("routing:letters", "D01"), url("audit:events", "D01")
    return [
        ("queue", "head", queue, {}),
        ("queue", "head", queue, {"page": 2}),
        ("queue", "head", queue, {"page": 20}),
        ("queue", "head", queue, {"status": "open"}),
        ("queue", "head", queue, {"overdue": "on"}),
        ("queue", "head", queue, {"view": "unassigned", "channel": "phone"}),
        ("queue", "officer", queue, {"view": "mine"}),
        ("queue", "national_head", url("intake:queue", "UBEG"), {}),
        ("tracker", "head", tracker, {}),
        ("tracker", "head", tracker, {"page": 2}),
        ("tracker", "head", tracker, {"page": 20}),
        ("tracker", "head", tracker, {"state": "delivered"}),
        ("tracker", "head", tracker, {"overdue": "on"}),
        ("tracker", "national_head", url("routing:tracker", "UBEG"), {}),
        ("tracker", "national_head", url("routing:tracker", "UBEG"), {"overdue": "on"}),
        ("letters", "head", letters, {}),
        ("letters", "clerk", letters, {"page": 2}),
        ("audit", "auditor", events, {}),
        ("audit", "auditor", events, {"page": 20}),
        ("audit", "auditor", events, {"action": "complaint.logged"}),
        ("audit", "national_auditor", url("audit:events", "UBEG"), {}),
        # Not a long list: the staff of D01 (six rows) behind the same sign-in, middleware,
        # navigation and base template, i.e. what any staff page costs before its own work.
        ("staff page", "head", url("org:people", "D01"), {}),
    ]


FLOOR_SQL = ('SELECT "id", "reference", "state", "prepared_at", "approved_at", '
             '"acknowledge_expected_by", "agency_reference", "complaint_id", "agency_id" '
             'FROM "routing_referral" WHERE "unit_id" = %s '
             'ORDER BY "prepared_at" DESC LIMIT 50')


def floor(unit_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [unit_id])
        assert cursor.fetchall()


BIG_TABLES = ('"intake_complaint"', '"routing_referral"', '"audit_auditevent"')


def explain(label: str, captured) -> None:
    """PostgreSQL's plan, as it ran, of each query a request made of the big tables."""
    from django.db import connection

    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.startswith("SELECT") or not any(table in sql for table in BIG_TABLES):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
        print(f"--- {label}\n{sql[:800]}\n" + "\n".join(lines))


def profile(label: str, request) -> None:
    """Twenty runs of `request` under cProfile: the functions most time is spent in."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        request()
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
        print(f"--- {label}, by {order} (20 requests)\n{out.getvalue().strip()}")


def measure(world: dict, rounds: int, show_plans: bool, profiled: str | None = None) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.heap import startup_heap_freeze

    # As each server worker does once it is ready (config/asgi.py): without it a full
    # collection walked this process's whole heap, the seed's leftovers too, in the middle
    # of a measured request.
    startup_heap_freeze()
    clients = {}
    for who in {who for _, who, _, _ in plan(world)}:
        clients[who] = Client()
        clients[who].force_login(world["people"][who])
    requests = plan(world)
    found = {index: {"times": [], "queries": 0} for index in range(len(requests))}
    for index, (page, who, url, query) in enumerate(requests):  # warm-up, queries, plans
        with CaptureQueriesContext(connection) as captured:
            response = clients[who].get(url, query)
        if response.status_code != 200:
            raise SystemExit(f"{page} {url} {query} as {who} answered {response.status_code}")
        found[index]["queries"] = len(captured)
        if show_plans:
            explain(f"{page} {who} {query}", captured)
        if page == profiled:
            profile(f"{page} {who} {query}",
                    lambda c=clients[who], u=url, q=query: c.get(u, q))
    d01 = world["units"][0].pk
    floor(d01)
    floors = []
    for _ in range(rounds):
        for index, (_page, who, url, query) in enumerate(requests):
            found[index]["times"].append(timed(lambda c=clients[who], u=url, q=query: c.get(u, q)))
            floors.append(timed(lambda: floor(d01)))
    return {"requests": requests, "found": found, "floor": floors}


RECUSAL_BASE = ('SELECT c."id", c."reference", c."received_at" FROM "intake_complaint" c '
                'WHERE c."unit_id" = %s {exclusion} '
                'ORDER BY c."received_at" DESC, c."id" DESC LIMIT 25')
ANTI_JOIN = ('AND NOT EXISTS (SELECT 1 FROM "intake_recusal" r '
             'WHERE r."complaint_id" = c."id" AND r."user_id" = %s)')


def measure_recusal(world: dict, rounds: int) -> dict[str, list[float]]:
    """The queue's first page of D01 for its head, with no exclusion, with the anti-join,
    and with the recused cases read first and left out by id."""
    from django.db import connection

    d01, head = world["units"][0].pk, world["people"]["head"].pk

    def plain():
        with connection.cursor() as cursor:
            cursor.execute(RECUSAL_BASE.format(exclusion=""), [d01])
            return cursor.fetchall()

    def anti_join():
        with connection.cursor() as cursor:
            cursor.execute(RECUSAL_BASE.format(exclusion=ANTI_JOIN), [d01, head])
            return cursor.fetchall()

    def by_list():
        with connection.cursor() as cursor:
            cursor.execute('SELECT "complaint_id" FROM "intake_recusal" WHERE "user_id" = %s',
                           [head])
            ids = [row[0] for row in cursor.fetchall()] or [0]
            cursor.execute(RECUSAL_BASE.format(exclusion='AND NOT (c."id" = ANY(%s))'),
                           [d01, ids])
            return cursor.fetchall()

    assert anti_join() == by_list()
    times = {"none": [], "anti-join": [], "list": []}
    for _ in range(rounds * 5):
        times["none"].append(timed(plain))
        times["anti-join"].append(timed(anti_join))
        times["list"].append(timed(by_list))
    return times


def run(total: int, rounds: int, show_plans: bool, profiled: str | None = None) -> dict:
    admin_url, database_url = server_urls()
    workdir = Path(tempfile.mkdtemp(prefix="shugel-bench-lists-"))
    create_database(admin_url)
    try:
        set_up_django(database_url, workdir)
        from _lists_seed import seed
        from django.db import connection
        from django.utils import timezone

        end = datetime.combine(timezone.localdate(), datetime.min.time(), tzinfo=UB)
        start = end - timedelta(days=30 * MONTHS)
        started = time.perf_counter()
        world = seed(total, start, end, RECUSALS)
        seeded = time.perf_counter() - started
        connection.ensure_connection()
        return {"version": connection.connection.info.server_version, "world": world,
                "seeded": seeded, "result": measure(world, rounds, show_plans, profiled),
                "recusal": measure_recusal(world, rounds)}
    finally:
        drop_database(admin_url)
        shutil.rmtree(workdir, ignore_errors=True)


def summary(done: dict, quick: bool, rounds: int) -> None:
    version, counts, result = done["version"], done["world"]["counts"], done["result"]
    print(f"lists: PostgreSQL {version // 10000}.{version % 10000}, {counts['complaints']:,} "
          f"complaints ({counts['d01']:,} in D01), {counts['referrals']:,} referrals "
          f"({counts['d01_referrals']:,} in D01), {counts['recusals']:,} recusals; seeded in "
          f"{done['seeded']:.1f} s{' (quick)' if quick else ''}; {rounds} rounds")
    floor_p95 = percentile(result["floor"], 0.95)
    print(f"floor SELECT (50 referrals of D01 on (unit, prepared_at)): p50 "
          f"{percentile(result['floor'], 0.5):.2f} ms, p95 {floor_p95:.2f} ms")
    worst: dict[str, float] = {}
    for index, (page, who, _url, query) in enumerate(result["requests"]):
        times, queries = result["found"][index]["times"], result["found"][index]["queries"]
        p95 = percentile(times, 0.95)
        worst[page] = max(worst.get(page, 0.0), p95)
        shown = " ".join(f"{key}={value}" for key, value in query.items()) or "-"
        print(f"  {page:8} {who:16} {shown:32} p50 {percentile(times, 0.5):7.1f} ms  "
              f"p95 {p95:7.1f} ms  {queries:2} queries  ratio {floor_p95 / p95:.3f}")
    control = worst.pop("staff page", None)
    for page, p95 in worst.items():
        verdict = "meets" if p95 < TARGET_MS else "MISSES"
        print(f"{page:8} worst p95 {p95:7.1f} ms, ratio {floor_p95 / p95:.3f} "
              f"({p95 / floor_p95:,.0f} floors); target p95 < {TARGET_MS:.0f} ms: {verdict}")
    if control:
        print(f"a short staff page (D01's people) p95 {control:.1f} ms: the part of every "
              f"page above that is sign-in, middleware, navigation and base template")
    recusal = done["recusal"]
    print("recusal exclusion, queue's first page of D01 on a raw cursor: " + ", ".join(
        f"{name} p95 {percentile(times, 0.95):.2f} ms" for name, times in recusal.items()))


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=None,
                        help="how many complaints to seed (default 1,000,000; 40,000 with "
                             "--quick)")
    parser.add_argument("--explain", action="store_true",
                        help="print PostgreSQL's plan of each query a page makes of the "
                             "complaints, referrals or audit events")
    parser.add_argument("--profile", choices=("queue", "tracker", "letters", "audit"),
                        help="print where that page's requests spend their time (cProfile)")
    args = parser.parse_args()
    total = args.complaints or (40_000 if args.quick else 1_000_000)
    rounds = 4 if args.quick else 15
    summary(run(total, rounds, args.explain, args.profile), args.quick, rounds)


if __name__ == "__main__":
    main()
