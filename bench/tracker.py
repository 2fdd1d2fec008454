"""The head's referral tracker with 100,000 referrals: p95 time and queries of a page, against
one indexed SELECT of the same page size.

The script makes a throw-away SQLite database and keyring (bench/_setup.py), then seeds
(bench/_tracker_seed.py), with bulk_create, 100,000 referrals (10,000 with --quick): most in
the department DG, the rest in three sibling departments under the national unit UBEG; ten
referrals to a complaint, every complaint with a current triage decision, every sealed field
really sealed (one data key shared by all rows, which changes nothing of what the tracker
reads). Then a signed-in head
opens the tracker through django.test.Client: first pages, a deep page, the last page, each
filter, and the national head's tracker over all four departments.

Measured in the same run:
  page:  each tracker request above, its time and its number of queries;
  floor: one SELECT of the same 50 referrals' columns through a raw cursor, on the index
         (unit, prepared_at), at the same offsets.
The ratio is floor p95 / page p95: the share of a page's time that reading its rows costs.
Also reported: the whole CSV export of DG, as rows per second.

    .venv/bin/python bench/tracker.py [--quick] [--referrals N]
"""

import statistics
import time

from _setup import arguments, cleanup, django_in_tempdir


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


# --- measuring ---------------------------------------------------------------------------------

def requests_to_measure(world: dict, dg_count: int) -> list[tuple[str, str, dict]]:
    """(who, url, query) for each page measured."""
    from django.urls import reverse

    dg = reverse("routing:tracker", kwargs={"unit_code": "DG"})
    national = reverse("routing:tracker", kwargs={"unit_code": "UBEG"})
    last = max(1, -(-dg_count // 50))
    return [
        ("head", dg, {}),
        ("head", dg, {"page": 2}),
        ("head", dg, {"page": max(1, last // 2)}),
        ("head", dg, {"page": last}),
        ("head", dg, {"state": "delivered"}),
        ("head", dg, {"overdue": "on"}),
        ("head", dg, {"agency": "police", "page": 3}),
        ("head", dg, {"prepared_from": "2024.01.01", "prepared_to": "2024.06.30"}),
        ("head", dg, {"state": "acknowledged", "overdue": "on"}),
        ("national_head", national, {}),
        ("national_head", national, {"unit": "DU", "page": 2}),
        ("national_head", national, {"overdue": "on"}),
    ]


def measure_pages(world, dg_count: int, rounds: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for who in ("head", "national_head"):
        clients[who] = Client()
        clients[who].force_login(world["people"][who])
    plan = requests_to_measure(world, dg_count)
    queries = []
    for who, url, query in plan:  # warm-up, and the queries of each
        with CaptureQueriesContext(connection) as captured:
            response = clients[who].get(url, query)
        if response.status_code != 200:
            raise SystemExit(f"{url} {query} answered {response.status_code}")
        queries.append(len(captured))
    times = []
    for _ in range(rounds):
        for who, url, query in plan:
            started = time.perf_counter()
            clients[who].get(url, query)
            times.append((time.perf_counter() - started) * 1000)
    return times, queries, len(plan)


def measure_floor(world, dg_count: int, rounds: int, pages: int) -> list[float]:
    """One indexed SELECT of 50 referrals' own columns, at offsets like the pages'."""
    from django.db import connection

    dg = world["units"]["DG"].pk
    last = max(0, (-(-dg_count // 50) - 1) * 50)
    offsets = [0, 50, last // 2, last]
    sql = ('SELECT "id", "reference", "state", "prepared_at", "approved_at", '
           '"acknowledge_expected_by", "agency_reference", "complaint_id", "agency_id" '
           'FROM "routing_referral" WHERE "unit_id" = %s '
           'ORDER BY "prepared_at" DESC LIMIT 50 OFFSET %s')
    times = []
    with connection.cursor() as cursor:
        for offset in offsets:  # warm-up
            cursor.execute(sql, [dg, offset])
            cursor.fetchall()
        for _ in range(rounds):
            for number in range(pages):
                started = time.perf_counter()
                cursor.execute(sql, [dg, offsets[number % len(offsets)]])
                rows = cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
                assert rows
    return times


def measure_csv(world) -> tuple[float, int]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world["people"]["head"])
    started = time.perf_counter()
    response = client.get(reverse("routing:tracker_csv", kwargs={"unit_code": "DG"}))
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    return time.perf_counter() - started, lines - 1


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=None,
                        help="how many referrals to seed (default 100,000; 10,000 with --quick)")
    args = parser.parse_args()
    total = args.referrals or (10_000 if args.quick else 100_000)
    rounds = 5 if args.quick else 10
    workdir = django_in_tempdir()
    try:
        from django.db import connection
        from django.utils import timezone

        from routing.models import Referral

        today = timezone.localdate()
        started = time.perf_counter()
        from _tracker_seed import seed

        world = seed(total, today)
        seeded = time.perf_counter() - started
        dg_count = Referral.objects.filter(unit=world["units"]["DG"]).count()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        page_times, queries, pages = measure_pages(world, dg_count, rounds)
        floor_times = measure_floor(world, dg_count, rounds, pages)
        csv_seconds, csv_rows = measure_csv(world)
    finally:
        cleanup(workdir)

    page_p95, floor_p95 = percentile(page_times, 0.95), percentile(floor_times, 0.95)
    print(f"tracker: SQLite, {total:,} referrals ({dg_count:,} in DG) seeded in {seeded:.1f} s"
          f"{' (quick)' if args.quick else ''}; {pages} requests x {rounds} rounds")
    print(f"tracker page:  p50 {percentile(page_times, 0.50):7.1f} ms   p95 {page_p95:7.1f} ms"
          f"   queries per page {min(queries)}-{max(queries)}")
    print(f"floor SELECT:  p50 {percentile(floor_times, 0.50):7.2f} ms   p95 {floor_p95:7.2f} ms"
          f"   (one indexed SELECT of 50 rows, raw cursor)")
    print(f"ratio:         {floor_p95 / page_p95:.4f}  (floor p95 / page p95; a page costs "
          f"{page_p95 / floor_p95:,.0f} floors)")
    print(f"CSV export:    {csv_rows:,} rows of DG in {csv_seconds:.2f} s "
          f"({csv_rows / csv_seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main()
