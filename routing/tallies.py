"""Routing's part of the reports' counters (intake.tallies): what a complaint's current triage
counts for in the month it was received ("category:<code>" for each category, "triaged",
"corruption"), the clock to refer a corruption-related case on ("clock:refer:…", by the
first approval of any of its referrals) and the agency's clock to acknowledge a referral
("clock:agency_acknowledge:…", in the referral's unit).

The workflows in routing.services take `triage_tallies`/`referral_tallies` before and after
a change and hand both to intake.tallies.tallies_move; `recount` counts the same from the
rows for the nightly check, and is registered with intake in routing's ready()."""

from contextlib import contextmanager
from datetime import date, datetime

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from intake.tallies import (
    Tallies,
    as_date,
    clock_recount,
    clock_tally,
    complaint_tallies,
    in_months,
    local_month,
    of_units,
    tallies_move,
)
from routing.models import Referral, TriageDecision


def first_referred_at(complaint) -> datetime | None:
    """When the first referral of `complaint` was approved: what meets the refer clock."""
    return (Referral.objects.filter(complaint=complaint, approved_at__isnull=False)
            .order_by("approved_at").values_list("approved_at", flat=True).first())


def refer_tallies(complaint, decision, referred_at: datetime | None) -> Tallies:
    tallies = Tallies()
    if decision is not None and decision.corruption_related:
        clock_tally(tallies, complaint.unit_id, "refer", decision.refer_due, referred_at)
    return tallies


def triage_tallies(complaint, decision, *, referred_at: datetime | None,
                   codes=None) -> Tallies:
    """What `decision` (the current one, or None) counts for; `codes` are its categories'
    codes when the caller has them, else they are read (prefetched by current_decision)."""
    if decision is None:
        return Tallies()
    month, unit_id = local_month(complaint.received_at), complaint.unit_id
    if codes is None:
        codes = [category.code for category in decision.categories.all()]
    tallies = Tallies({(unit_id, month, f"category:{code}"): 1 for code in codes})
    tallies[(unit_id, month, "triaged")] += 1
    if decision.corruption_related:
        tallies[(unit_id, month, "corruption")] += 1
    return tallies + refer_tallies(complaint, decision, referred_at)


def case_tallies(complaint, decision, *, referred_at: datetime | None, codes=None,
                 clock_only: bool = False) -> Tallies:
    """What a complaint counts for with its current `decision`; `clock_only` leaves out the
    triage's own counts (for a change that can move only the refer clock)."""
    if clock_only:
        return complaint_tallies(complaint) + refer_tallies(complaint, decision, referred_at)
    return complaint_tallies(complaint) + triage_tallies(complaint, decision,
                                                         referred_at=referred_at, codes=codes)


def referral_tallies(referral) -> Tallies:
    tallies = Tallies()
    clock_tally(tallies, referral.unit_id, "agency_acknowledge",
                referral.acknowledge_expected_by, referral.acknowledged_at)
    return tallies


@contextmanager
def referral_counted(referral):
    """Around a change to `referral` (under its lock): its clock's counters follow it."""
    before = referral_tallies(referral)
    yield referral
    tallies_move(before=before, after=referral_tallies(referral))


def _decisions_recount(*, unit_ids, first: date | None, last: date | None) -> Tallies:
    zone = timezone.get_default_timezone()
    tallies = Tallies()
    links = of_units(TriageDecision.categories.through.objects.filter(
        triagedecision__current=True), "triagedecision__complaint__unit_id", unit_ids)
    for row in (in_months(links, "triagedecision__complaint__received_at", first, last,
                           moment=True)
                .annotate(month=TruncMonth("triagedecision__complaint__received_at",
                                           tzinfo=zone))
                .order_by().values("triagedecision__complaint__unit_id", "month",
                                   "category__code").annotate(n=Count("pk"))):
        tallies[(row["triagedecision__complaint__unit_id"], as_date(row["month"]),
                 f"category:{row['category__code']}")] += row["n"]
    decisions = of_units(TriageDecision.objects.filter(current=True), "complaint__unit_id",
                          unit_ids)
    for row in (in_months(decisions, "complaint__received_at", first, last, moment=True)
                .annotate(month=TruncMonth("complaint__received_at", tzinfo=zone))
                .order_by().values("complaint__unit_id", "month", "corruption_related")
                .annotate(n=Count("pk"))):
        key = (row["complaint__unit_id"], as_date(row["month"]))
        tallies[(*key, "triaged")] += row["n"]
        if row["corruption_related"]:
            tallies[(*key, "corruption")] += row["n"]
    return tallies


def recount(*, unit_ids, first: date | None, last: date | None) -> Tallies:
    """Routing's counters from the rows, by four GROUP BY queries."""
    tallies = _decisions_recount(unit_ids=unit_ids, first=first, last=last)
    first_approval = (Referral.objects.filter(complaint=OuterRef("complaint"),
                                              approved_at__isnull=False)
                      .order_by("approved_at").values("approved_at")[:1])
    decisions = (of_units(TriageDecision.objects.filter(current=True, corruption_related=True),
                           "complaint__unit_id", unit_ids)
                 .annotate(referred_at=Subquery(first_approval)))
    tallies += clock_recount(decisions, unit_field="complaint__unit_id", name="refer",
                             due_field="refer_due", done_field="referred_at",
                             first=first, last=last)
    tallies += clock_recount(of_units(Referral.objects.all(), "unit_id", unit_ids),
                             unit_field="unit_id", name="agency_acknowledge",
                             due_field="acknowledge_expected_by", done_field="acknowledged_at",
                             first=first, last=last)
    return tallies
