"""The national consolidation of the anti-corruption plans' year reports on PostgreSQL: 30
departments' implementation reports drafted from the records over 1,000,000 complaints,
against one GROUP BY over the same year's complaints.

The database is bench/report.py's (its own name here, `bench_plan_report`; made, migrated
and dropped the same way), seeded by bench/_report_seed.py: 1,000,000 complaints (100,000
with --quick) in 30 departments over 36 months, 2 % corruption-related and referred, some
with the agency's recommendation or notice. On top of it:
- each department's monthly reports for this year's months, approved, their figures the
  counts the plan reads (corruption-related complaints per unit and month from
  reporting.figures.per_unit, the agency's recommendations and notices from one grouped
  query per month); the full monthly figures are bench/report.py's to measure;
- each department's plan (the reference's three goals and seven measures, through
  plans.services), approved by its head, with an outreach posting and a training.

Measured in the same run, interleaved:
  national: for each of the 30 departments, plans.reports.preview(plan, "year") (every
            measure drafted from the records, measure 3.2 from the approved monthly reports)
            and plans.document.build of it, then plans.consolidation.units_below (the
            parent's page of who has filed);
  floor:    SELECT unit_id, COUNT(*) FROM intake_complaint WHERE received_at in the year
            GROUP BY unit_id, on a raw cursor.
The ratio is floor p95 / p95, as bench/report.py prints it.

    .venv/bin/python bench/plan_report.py [--quick] [--complaints N]
"""

import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import report as monthly_bench
from _setup import arguments

monthly_bench.DATABASE = "bench_plan_report"  # never the monthly bench's database
UNITS = monthly_bench.UNITS


def approve_months(world: dict, year: int, last: date) -> int:
    """Approved monthly reports of every department for each month of `year` to `last`."""
    from django.db.models import Count

    from reporting.figures import month_period, per_unit
    from reporting.models import MonthlyReport, State
    from routing.models import AgencyAnswer

    units, data_key = world["units"], world["data_key"]
    ids = [unit.pk for unit in units]
    rows = []
    for month in range(1, last.month + 1):
        period = month_period(date(year, month, 1))
        counts = per_unit(ids, period)
        answers = {}
        for row in (AgencyAnswer.objects.filter(
                referral__unit_id__in=ids, answered_on__gte=period.first,
                answered_on__lte=period.last).order_by()
                .values("referral__unit_id", "kind").annotate(n=Count("pk"))):
            answers.setdefault(row["referral__unit_id"], {})[row["kind"]] = row["n"]
        for unit in units:
            found = answers.get(unit.pk, {})
            corruption = counts[unit.pk]["corruption"]
            rows.append(MonthlyReport(
                unit=unit, period=period.first, reference=f"{unit.code}-T-{period.label}",
                state=State.APPROVED, data_key=data_key, figures={
                    "corruption": {"count": corruption, "referred": corruption},
                    "agency_answers": {"recommendations": found.get("recommendation", 0),
                                       "notices": found.get("notice", 0)}}))
    MonthlyReport.objects.bulk_create(rows)
    return len(rows)


def make_plans(world: dict, year: int, day: date) -> list:
    from plans.models import ActivityKind, OutreachChannel
    from plans.reference_plan import load_into
    from plans.services import activity_record, plan_approve, plan_create, training_record

    clerk, head = world["people"]["clerk"], world["people"]["head"]
    plans = []
    for unit in world["units"]:
        plan = plan_create(unit=unit, year=year, copy="empty", by=clerk)
        load_into(plan, by=clerk)
        plan = plan_approve(plan=plan, by=head)
        measures = {m.number: m for m in plan.measures()}
        activity_record(unit=unit, measure=measures["1.1"], kind=ActivityKind.OUTREACH,
                        channel=OutreachChannel.BOARD, day=day, place="Танхим",
                        description="Шторк үзүүлсэн", feedback="", by=clerk)
        training_record(unit=unit, measure=measures["3.3"], day=day, topic="Ил тод байдал",
                        trainer="Ахлах бүртгэгч", articles="6.2", attendee_ids=[clerk.pk],
                        by=clerk)
        plans.append(plan)
    return plans


def measure(world: dict, plans: list, year: int, rounds: int) -> dict:
    from django.db import connection

    from plans.consolidation import units_below
    from plans.document import build
    from plans.reports import preview
    from reporting.figures import Period

    period = Period(date(year, 1, 1), date(year, 12, 31), str(year))
    national = world["units"][0].parent

    def consolidate():
        documents = [build(*preview(plan, "year")) for plan in plans]
        return documents, units_below(national, year)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT unit_id, COUNT(*) FROM intake_complaint WHERE "
                           "received_at >= %s AND received_at < %s GROUP BY unit_id",
                           [period.start, period.end])
            return cursor.fetchall()

    result = {"queries": monthly_bench.queries_of(consolidate), "national": [], "floor": []}
    floor()
    for _round in range(rounds):
        result["national"].append(monthly_bench.timed(consolidate))
        result["floor"].append(monthly_bench.timed(floor))
    return result


def run(total: int, rounds: int) -> dict:
    admin_url, database_url = monthly_bench.server_urls()
    workdir = Path(tempfile.mkdtemp(prefix="shugel-bench-plan-"))
    monthly_bench.create_database(admin_url)
    try:
        monthly_bench.set_up_django(database_url, workdir)
        from _report_seed import seed

        months, end = monthly_bench._months()
        started = time.perf_counter()
        world = seed(total, months[0], end)
        from reporting.models import MonthlyReport
        from vault.models import DataKey

        world["data_key"] = DataKey.objects.create_fresh()
        last = months[-1]
        MonthlyReport.objects.all().delete()
        approved = approve_months(world, last.year, last)
        plans = make_plans(world, last.year, last)
        seeded = time.perf_counter() - started
        return {"world": world, "seeded": seeded, "approved": approved,
                "result": measure(world, plans, last.year, rounds), "year": last.year}
    finally:
        monthly_bench.drop_database(admin_url)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=None,
                        help="how many complaints to seed (default 1,000,000; 100,000 with "
                             "--quick)")
    args = parser.parse_args()
    total = args.complaints or (100_000 if args.quick else 1_000_000)
    rounds = 5 if args.quick else 10
    done = run(total, rounds)
    counts, result = done["world"]["counts"], done["result"]
    p95 = monthly_bench.percentile(result["national"], 0.95)
    floor_p95 = monthly_bench.percentile(result["floor"], 0.95)
    print(f"plan_report: {counts['complaints']:,} complaints in {UNITS} units"
          f"{' (quick)' if args.quick else ''}, {counts['corruption']:,} corruption-related; "
          f"{done['approved']} approved monthly reports of {done['year']}; seeded in "
          f"{done['seeded']:.1f} s; {rounds} rounds")
    print(f"national consolidation of {UNITS} year reports ({result['queries']} queries): "
          f"p50 {monthly_bench.percentile(result['national'], 0.5):,.1f} ms, p95 {p95:,.1f} ms "
          f"vs one GROUP BY p95 {floor_p95:,.2f} ms; ratio {floor_p95 / p95:.3f} (floor/time)"
          f", {p95 / floor_p95:,.1f} floors")


if __name__ == "__main__":
    main()
