"""Per-unit, per-month counters for the reports (tally, тооллого), kept as the records change.

The monthly report, the consolidation, the quarter and the charts read these counters
(reporting.figures) instead of counting complaints, so a report costs the same at a thousand
complaints as at a million. Each workflow that moves a figure moves its counter in the same
transaction: it takes what the record counted for before the change and after it, and
`tallies_move` writes the difference as one upsert.

    before = complaint_tallies(complaint)
    complaint.status = Status.CLOSED; complaint.closed_at = now; complaint.save(...)
    tallies_move(before=before, after=complaint_tallies(complaint))

A tally is keyed by (unit, month, key). The month is the local (Asia/Ulaanbaatar) month of
the complaint's receipt for what was received ("channel:web", "kind:complaint",
"status:closed", and routing's "category:bribery", "triaged", "corruption"), and the month
a clock fell due for the clocks ("clock:resolve:due", "clock:resolve:met"): a clock is met
when the thing was done on or before its due day, local time.

What the rows say is also counted from the rows (`tallies_recount`, one GROUP BY per
figure): intake counts its own, routing registers its counter (`register_recount`), as it
registers its classifier. The nightly check (intake.tally_check) compares the two.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from intake.tally_models import Tally

# (unit id, first day of the month, key) -> count
Tallies = Counter
Recount = Callable[..., Tallies]

_recounts: list[Recount] = []
BATCH = 200


def register_recount(recount: Recount) -> None:
    """`recount(*, unit_ids, first, last)` counts a higher app's keys from its rows."""
    if recount not in _recounts:
        _recounts.append(recount)


# --- months ----------------------------------------------------------------------------------

def month_of(day: date) -> date:
    return day.replace(day=1)


def local_day(moment: datetime) -> date:
    """The day of `moment` in Asia/Ulaanbaatar (the default zone, which nothing changes)."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def local_month(moment: datetime) -> date:
    return month_of(local_day(moment))


def month_after(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min),
                               timezone.get_default_timezone())


def as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- what one record counts for --------------------------------------------------------------

def clock_tally(tallies: Tallies, unit_id: int, name: str, due: date | None,
                done: datetime | None) -> None:
    """A clock due on `due` counts as due in its month, and as met there if `done` fell on
    or before the due day (local time)."""
    if due is None:
        return
    tallies[(unit_id, month_of(due), f"clock:{name}:due")] += 1
    if done is not None and local_day(done) <= due:
        tallies[(unit_id, month_of(due), f"clock:{name}:met")] += 1


def complaint_tallies(complaint) -> Tallies:
    """What `complaint` counts for by itself (routing adds its triage and referrals)."""
    month, unit_id = local_month(complaint.received_at), complaint.unit_id
    tallies = Tallies({(unit_id, month, f"{field}:{getattr(complaint, field)}"): 1
                       for field in ("channel", "kind", "status")})
    clock_tally(tallies, unit_id, "acknowledge", complaint.acknowledge_due,
                complaint.acknowledged_at)
    clock_tally(tallies, unit_id, "resolve", complaint.resolve_due, complaint.closed_at)
    return tallies


# --- writing ---------------------------------------------------------------------------------

def tallies_add(changes: Tallies) -> None:
    """Add `changes` to the counters in one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and
    SQLite alike): a counter missing is created, one present is incremented in the database,
    so two transactions moving the same counter both count. Rows are written in key order so
    that concurrent writers take their locks in the same order."""
    rows = sorted((unit_id, month, key, delta)
                  for (unit_id, month, key), delta in changes.items() if delta)
    for start in range(0, len(rows), BATCH):  # SQLite takes a limited number of parameters
        _upsert(rows[start:start + BATCH])


def _upsert(rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    table = quote(Tally._meta.db_table)
    unit, month, key, count = (quote(name) for name in ("unit_id", "month", "key", "count"))
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    # Only quoted names of this model go into the text; every value is a parameter.
    sql = (f"INSERT INTO {table} ({unit}, {month}, {key}, {count}) "  # noqa: S608
           f"VALUES {values} ON CONFLICT ({unit}, {month}, {key}) "
           f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}")
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def tallies_move(*, before: Tallies, after: Tallies) -> None:
    """Move the counters from what a record counted for `before` a change to `after` it.
    Call it inside the change's transaction, holding the record's lock."""
    changes = Tallies(after)
    changes.subtract(before)
    tallies_add(changes)


def tally_add(*, unit_id: int, moment: datetime | date, key: str, delta: int = 1) -> None:
    """Add `delta` to one counter: `moment`'s local month (a date names its own month)."""
    month = local_month(moment) if isinstance(moment, datetime) else month_of(moment)
    tallies_add(Tallies({(unit_id, month, key): delta}))


# --- reading ---------------------------------------------------------------------------------

def in_months(queryset, field: str, first: date | None, last: date | None, *, moment=False):
    if first is not None:
        queryset = queryset.filter(**{f"{field}__gte": local_midnight(first) if moment
                                      else first})
    if last is not None:
        end = month_after(last)
        queryset = queryset.filter(**{f"{field}__lt": local_midnight(end) if moment else end})
    return queryset


def of_units(queryset, field: str, unit_ids):
    return queryset if unit_ids is None else queryset.filter(**{f"{field}__in": unit_ids})


def tallies_stored(*, unit_ids: Iterable[int] | None = None, first: date | None = None,
                   last: date | None = None) -> Tallies:
    """The counters of `unit_ids` (all units if None) from month `first` to `last`, in one
    query; counters at zero are left out."""
    rows = of_units(in_months(Tally.objects.all(), "month", first, last), "unit_id",
                     None if unit_ids is None else list(unit_ids))
    return Tallies({(unit_id, month, key): count for unit_id, month, key, count in
                    rows.exclude(count=0).values_list("unit_id", "month", "key", "count")})


def clock_recount(queryset, *, unit_field: str, name: str, due_field: str, done_field: str,
                  first: date | None, last: date | None) -> Tallies:
    """A clock counted from rows: due and met per unit and month of the due day."""
    zone = timezone.get_default_timezone()
    rows = (in_months(queryset.filter(**{f"{due_field}__isnull": False}), due_field, first, last)
            .annotate(done_on=TruncDate(done_field, tzinfo=zone), due_month=TruncMonth(due_field))
            .order_by().values(unit_field, "due_month")
            .annotate(due=Count("pk"), met=Count("pk", filter=Q(done_on__lte=F(due_field)))))
    tallies = Tallies()
    for row in rows:
        month = as_date(row["due_month"])
        tallies[(row[unit_field], month, f"clock:{name}:due")] += row["due"]
        tallies[(row[unit_field], month, f"clock:{name}:met")] += row["met"]
    return tallies


def _complaints_recount(*, unit_ids, first, last) -> Tallies:
    from intake.models import Complaint

    zone = timezone.get_default_timezone()
    complaints = of_units(Complaint.objects.all(), "unit_id", unit_ids)
    tallies = Tallies()
    for row in (in_months(complaints, "received_at", first, last, moment=True)
                .annotate(month=TruncMonth("received_at", tzinfo=zone)).order_by()
                .values("unit_id", "month", "channel", "kind", "status").annotate(n=Count("pk"))):
        month = as_date(row["month"])
        for field in ("channel", "kind", "status"):
            tallies[(row["unit_id"], month, f"{field}:{row[field]}")] += row["n"]
    for name, due, done in (("acknowledge", "acknowledge_due", "acknowledged_at"),
                            ("resolve", "resolve_due", "closed_at")):
        tallies += clock_recount(complaints, unit_field="unit_id", name=name, due_field=due,
                                 done_field=done, first=first, last=last)
    return tallies


def tallies_recount(*, unit_ids: Iterable[int] | None = None, first: date | None = None,
                    last: date | None = None) -> Tallies:
    """The counters as the rows give them now, by GROUP BY queries (a fixed number)."""
    unit_ids = None if unit_ids is None else list(unit_ids)
    tallies = _complaints_recount(unit_ids=unit_ids, first=first, last=last)
    for recount in _recounts:
        tallies += recount(unit_ids=unit_ids, first=first, last=last)
    return +tallies
