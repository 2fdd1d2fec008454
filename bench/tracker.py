"""The head's referral tracker with 100,000 referrals: p95 time and queries of a page, against
one indexed SELECT of the same page size.

The script makes a throw-away SQLite database and keyring (bench/_setup.py), then seeds, with
bulk_create, 100,000 referrals (10,000 with --quick): most in the department DG, the rest in
three sibling departments under the national unit UBEG; ten referrals to a complaint, every
complaint with a current triage decision, every sealed field really sealed (one data key
shared by all rows, which changes nothing of what the tracker reads). Then a signed-in head
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

import random
import statistics
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from _setup import arguments, cleanup, django_in_tempdir

UB = ZoneInfo("Asia/Ulaanbaatar")
PER_COMPLAINT = 10
BATCH = 2000
# The life of most referrals is over: a tracker mostly holds concluded ones.
STATES = [("concluded", 55), ("acknowledged", 15), ("delivered", 10), ("returned", 7),
          ("prepared", 5), ("approved", 3), ("awaiting_letter", 3), ("failed", 2)]
SIBLINGS = ("DU", "OM", "SB")


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


# --- seeding ---------------------------------------------------------------------------------

def seed(total: int, today: date) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from intake.models import Channel, Complaint, Kind, Recusal, Status
    from org.models import Membership, Role, Unit
    from outbox.models import Agency
    from routing.models import Referral, TriageDecision
    from vault.models import DataKey

    rng = random.Random(7)
    national = Unit.objects.create(code="UBEG", kind=Unit.Kind.NATIONAL,
                                   name_mn="Улсын бүртгэлийн ерөнхий газар",
                                   name_en="General Authority for State Registration")
    units = {"DG": Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, parent=national,
                                       name_mn="Дорноговь", name_en="Dornogovi")}
    for code in SIBLINGS:
        units[code] = Unit.objects.create(code=code, kind=Unit.Kind.DEPARTMENT,
                                          parent=national, name_mn=code, name_en=code)
    User = get_user_model()
    people = {}
    for name, unit, role in (("head", units["DG"], Role.HEAD),
                             ("officer", units["DG"], Role.OFFICER),
                             ("national_head", national, Role.HEAD)):
        people[name] = User.objects.create_user(username=name, password=None)
        Membership.objects.create(user=people[name], unit=unit, role=role)

    data_key = DataKey.objects.create_fresh()
    agencies = []
    for code, delivery in (("atg", Agency.Delivery.API), ("police", Agency.Delivery.LETTER),
                           ("prosecutor", Agency.Delivery.EMAIL)):
        agency = Agency(data_key=data_key, code=code, name_mn=f"{code} газар",
                        name_en=f"{code} office", kind=Agency.Kind.OTHER, delivery=delivery,
                        is_default=code == "atg")
        agency.api_secret = "bench-secret" if delivery == Agency.Delivery.API else None
        agency.save()
        agencies.append(agency)

    states = [state for state, weight in STATES for _ in range(weight)]
    start = datetime(today.year - 3, 1, 5, 9, tzinfo=UB)
    span = (datetime.combine(today, datetime.min.time(), tzinfo=UB) - start).total_seconds()
    complaints_needed = -(-total // PER_COMPLAINT)
    # Mostly DG: the department whose head the page is measured for.
    unit_of = [units["DG"] if number % 10 < 7 else units[SIBLINGS[number % 3]]
               for number in range(complaints_needed)]

    with transaction.atomic():
        complaints = []
        for number in range(complaints_needed):
            received = start + timedelta(seconds=span * number / complaints_needed)
            complaint = Complaint(
                data_key=data_key, unit=unit_of[number],
                reference=f"{unit_of[number].code}-{received.year}-{number + 1:06d}",
                channel=Channel.LETTER, kind=Kind.COMPLAINT, status=Status.REFERRED,
                received_at=received, acknowledge_due=received.date() + timedelta(days=9),
                resolve_due=received.date() + timedelta(days=42),
            )
            complaint.body = "Бичиг хэргийн ажилтан мөнгө нэхсэн."
            complaints.append(complaint)
        Complaint.objects.bulk_create(complaints, batch_size=BATCH)
        complaints = list(Complaint.objects.only("pk", "unit_id", "reference", "received_at")
                          .order_by("pk"))
        decisions = []
        for complaint in complaints:
            decision = TriageDecision(
                complaint=complaint, data_key=data_key, corruption_related=True,
                refer_due=complaint.received_at.date() + timedelta(days=7),
                decided_by=people["officer"], decided_at=complaint.received_at,
            )
            decision.reason = "Хээл хахууль."
            decisions.append(decision)
        TriageDecision.objects.bulk_create(decisions, batch_size=BATCH)

        made, pending = 0, []
        for complaint in complaints:
            batch = []
            for number in range(min(PER_COMPLAINT, total - made)):
                state = rng.choice(states)
                prepared = complaint.received_at + timedelta(hours=2 + number)
                approved = (None if state in ("prepared", "returned")
                            else prepared + timedelta(days=1))
                referral = Referral(
                    reference=f"{complaint.reference}-R{number + 1}", complaint=complaint,
                    unit_id=complaint.unit_id, data_key=data_key,
                    agency=agencies[number % len(agencies)], state=state,
                    prepared_by=people["officer"], prepared_at=prepared,
                    approved_at=approved,
                    acknowledge_expected_by=(prepared.date() + timedelta(days=9)
                                             if approved else None),
                    agency_reference=(f"АТГ-{number}" if state in ("acknowledged", "concluded")
                                      else ""),
                )
                referral.cover_letter = "Танай байгууллагад шилжүүлж байна."
                batch.append(referral)
            made += len(batch)
            pending.extend(batch)
            if len(pending) >= BATCH:
                Referral.objects.bulk_create(pending)
                pending.clear()
        if pending:
            Referral.objects.bulk_create(pending)
        # A few recusals, so the exclusion the page always makes has something to exclude.
        Recusal.objects.bulk_create(
            Recusal(complaint=complaint, user=people["head"])
            for complaint in rng.sample(complaints, min(20, len(complaints)))
        )
    return {"units": units, "national": national, "people": people, "agencies": agencies}


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
