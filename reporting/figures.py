"""The figures of a report, computed by aggregate queries over the records.

Nothing here loads a complaint: counts come from GROUP BY queries, and the few rows a report
lists (corruption-related complaints, referrals, the agency's recommendations and notices,
box openings) come from `values()` queries over metadata only. No sealed field is read, so
no figure can carry what a reporter wrote.

A period runs from local midnight (Asia/Ulaanbaatar) on its first day to local midnight on
the day after its last; a date-based clock is met when the thing was done before local
midnight after its due day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from audit.chain import timestamp as chain_timestamp
from audit.models import AuditEvent, Checkpoint
from intake.models import BoxOpening, Channel, Complaint, Kind, Status
from routing.models import AgencyAnswer, Category, Referral, ReferralState, TriageDecision

FORMAT = 1
ANSWER_KINDS = (AgencyAnswer.Kind.RECOMMENDATION, AgencyAnswer.Kind.NOTICE)
CLOCKS = ("acknowledge", "resolve", "refer", "agency_acknowledge")


@dataclass(frozen=True)
class Period:
    """[first, last] in local days; `start`/`end` the aware datetimes around them."""

    first: date
    last: date
    label: str

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min),
                               timezone.get_default_timezone())


def month_period(period: date) -> Period:
    first = period.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1), f"{first:%Y-%m}")


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise ValueError("a quarter is 1 to 4")
    first = date(year, 3 * quarter - 2, 1)
    last = month_period(date(year, 3 * quarter, 1)).last
    return Period(first, last, f"{year}-Q{quarter}")


def parse_month(text: str) -> date:
    """`YYYY-MM` to the first day of that month; ValueError otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a month (YYYY-MM)") from None


def parse_quarter(text: str) -> tuple[int, int]:
    """`YYYY-Qn` to (year, n); ValueError otherwise."""
    year, sep, quarter = text.upper().partition("-Q")
    if not sep or not year.isdigit() or quarter not in {"1", "2", "3", "4"}:
        raise ValueError(f"{text!r} is not a quarter (YYYY-Qn)")
    return int(year), int(quarter)


def _counts(rows, key: str) -> dict[str, int]:
    return {row[key]: row["n"] for row in rows if row["n"]}


def _local_day(moment) -> str | None:
    return timezone.localtime(moment).date().isoformat() if moment else None


def _clock(queryset, done_field: str, due_field: str, period: Period) -> dict[str, int]:
    """Of the things in `queryset` due within `period`, how many were done on or before
    their due day (local time) and how many were not (late, or still not done)."""
    zone = timezone.get_default_timezone()
    due = (queryset.filter(**{f"{due_field}__gte": period.first,
                              f"{due_field}__lte": period.last})
           .annotate(done_on=TruncDate(done_field, tzinfo=zone)))
    result = due.aggregate(due=Count("pk"),
                           met=Count("pk", filter=Q(done_on__lte=F(due_field))))
    return {"due": result["due"], "met": result["met"], "missed": result["due"] - result["met"]}


def clocks(unit_ids, period: Period) -> dict[str, dict[str, int]]:
    complaints = Complaint.objects.filter(unit_id__in=unit_ids)
    first_approval = (Referral.objects.filter(complaint=OuterRef("complaint"),
                                              approved_at__isnull=False)
                      .order_by("approved_at").values("approved_at")[:1])
    decisions = (TriageDecision.objects.filter(complaint__unit_id__in=unit_ids, current=True,
                                               corruption_related=True)
                 .annotate(referred_at=Subquery(first_approval)))
    return {
        "acknowledge": _clock(complaints, "acknowledged_at", "acknowledge_due", period),
        "resolve": _clock(complaints, "closed_at", "resolve_due", period),
        "refer": _clock(decisions, "referred_at", "refer_due", period),
        "agency_acknowledge": _clock(Referral.objects.filter(unit_id__in=unit_ids),
                                     "acknowledged_at", "acknowledge_expected_by", period),
    }


def received(unit_ids, period: Period) -> dict:
    """Complaints received in the period: in all, by channel, by kind and by status now,
    from one GROUP BY over the three."""
    rows = (Complaint.objects.filter(unit_id__in=unit_ids, received_at__gte=period.start,
                                     received_at__lt=period.end)
            .order_by().values("channel", "kind", "status").annotate(n=Count("pk")))
    by: dict[str, dict[str, int]] = {"channel": {}, "kind": {}, "status": {}}
    for row in rows:
        for field, counts in by.items():
            counts[row[field]] = counts.get(row[field], 0) + row["n"]
    return {"total": sum(by["channel"].values()), "by_channel": by["channel"],
            "by_kind": by["kind"], "by_status": by["status"]}


def categories(unit_ids, period: Period, total: int) -> tuple[dict[str, int], int]:
    """How many of the period's complaints the current triage put in each category (a
    complaint may be in several), and how many of the period's `total` have no triage
    decision yet (a complaint has at most one current decision)."""
    decisions = TriageDecision.objects.filter(
        current=True, complaint__unit_id__in=unit_ids,
        complaint__received_at__gte=period.start, complaint__received_at__lt=period.end)
    rows = (Category.objects.filter(decisions__in=decisions).order_by()
            .values("code").annotate(n=Count("decisions")))
    return _counts(rows, "code"), total - decisions.count()


def _referral_row(row: dict) -> dict:
    return {
        "reference": row["reference"], "complaint": row["complaint__reference"],
        "agency": row["agency__code"], "state": row["state"],
        "prepared_on": _local_day(row["prepared_at"]),
        "acknowledged_on": _local_day(row["acknowledged_at"]),
        "agency_reference": row["agency_reference"],
    }


REFERRAL_FIELDS = ("reference", "complaint_id", "complaint__reference", "agency__code", "state",
                   "prepared_at", "acknowledged_at", "agency_reference")


def corruption(unit_ids, period: Period) -> list[dict]:
    """The period's corruption-related complaints (by their current triage), each with its
    categories and what became of it: the referrals made, to whom, acknowledged or not, and
    the agency's reference number."""
    complaints = list(
        Complaint.objects.filter(
            unit_id__in=unit_ids, received_at__gte=period.start, received_at__lt=period.end,
            triage_decisions__current=True, triage_decisions__corruption_related=True)
        .order_by("received_at", "pk")
        .values("pk", "reference", "channel", "received_at", "status"))
    ids = [row["pk"] for row in complaints]
    codes: dict[int, list[str]] = {}
    for complaint_id, code in (Category.objects.filter(
            decisions__current=True, decisions__complaint_id__in=ids)
            .order_by("code").values_list("decisions__complaint_id", "code")):
        codes.setdefault(complaint_id, []).append(code)
    referrals: dict[int, list[dict]] = {}
    for row in (Referral.objects.filter(complaint_id__in=ids).order_by("prepared_at", "pk")
                .values(*REFERRAL_FIELDS)):
        referrals.setdefault(row["complaint_id"], []).append(_referral_row(row))
    return [{
        "reference": row["reference"], "channel": row["channel"],
        "received_on": _local_day(row["received_at"]), "status": row["status"],
        "categories": codes.get(row["pk"], []), "referrals": referrals.get(row["pk"], []),
    } for row in complaints]


def earlier_referrals(unit_ids, period: Period) -> list[dict]:
    """Referrals prepared before the period that were still open at its start: those not
    concluded, or concluded only during or after it. Their state is the state now."""
    rows = (Referral.objects.filter(unit_id__in=unit_ids, prepared_at__lt=period.start)
            .filter(Q(concluded_at__isnull=True) | Q(concluded_at__gte=period.start))
            .exclude(state=ReferralState.RETURNED)
            .order_by("prepared_at", "pk").values(*REFERRAL_FIELDS))
    return [_referral_row(row) for row in rows]


def agency_answers(unit_ids, period: Period) -> list[dict]:
    """Recommendations (зөвлөмж) and notices (мэдэгдэл) the agency sent in the period."""
    rows = (AgencyAnswer.objects.filter(
        referral__unit_id__in=unit_ids, kind__in=ANSWER_KINDS,
        answered_on__gte=period.first, answered_on__lte=period.last)
        .order_by("answered_on", "pk")
        .values("kind", "answered_on", "referral__reference", "referral__agency__code",
                "agency_reference"))
    return [{"kind": row["kind"], "answered_on": row["answered_on"].isoformat(),
             "referral": row["referral__reference"], "agency": row["referral__agency__code"],
             "agency_reference": row["agency_reference"]} for row in rows]


def box_openings(unit_ids, period: Period) -> list[dict]:
    rows = (BoxOpening.objects.filter(unit_id__in=unit_ids, opened_at__gte=period.start,
                                      opened_at__lt=period.end)
            .order_by("opened_at", "pk").values("box", "opened_at", "slip_count"))
    return [{"box": row["box"], "opened_on": _local_day(row["opened_at"]),
             "slips": row["slip_count"]} for row in rows]


def checkpoint(period: Period) -> dict | None:
    """Where the audit chain stood at the end of the period (its last event then), and the
    first signed checkpoint at or after that event, which vouches for everything up to it."""
    end = chain_timestamp(period.end)
    last = (AuditEvent.objects.filter(occurred_at__lt=end).order_by("-seq")
            .values("seq", "mac").first())
    if last is None:
        return None
    signed = (Checkpoint.objects.filter(seq__gte=last["seq"]).order_by("seq", "pk")
              .values("seq", "head_mac", "made_at", "sign_key_version", "signature").first())
    return {"period_end_seq": last["seq"], "period_end_mac": last["mac"], "signed": signed}


def period_figures(unit_ids, period: Period, *, with_checkpoint: bool = True) -> dict:
    """Everything a report states about `unit_ids` in `period`, as plain JSON."""
    unit_ids = sorted(unit_ids)
    counted = received(unit_ids, period)
    by_category, untriaged = categories(unit_ids, period, counted["total"])
    listed = corruption(unit_ids, period)
    answers = agency_answers(unit_ids, period)
    openings = box_openings(unit_ids, period)
    figures = {
        "format": FORMAT,
        "period": {"label": period.label, "first": period.first.isoformat(),
                   "last": period.last.isoformat()},
        "received": counted,
        "by_category": by_category,
        "untriaged": untriaged,
        "corruption": {"count": len(listed), "complaints": listed,
                       "referred": sum(1 for row in listed if any(
                           referral["state"] != ReferralState.RETURNED
                           for referral in row["referrals"]))},
        "earlier_referrals": earlier_referrals(unit_ids, period),
        "agency_answers": {
            "recommendations": sum(1 for a in answers if a["kind"] == "recommendation"),
            "notices": sum(1 for a in answers if a["kind"] == "notice"),
            "items": answers,
        },
        "box_openings": {"count": len(openings),
                         "empty": sum(1 for o in openings if o["slips"] == 0),
                         "slips": sum(o["slips"] for o in openings), "items": openings},
        "clocks": clocks(unit_ids, period),
    }
    figures["nil"] = figures["corruption"]["count"] == 0
    figures["no_agency_answers"] = not answers
    if with_checkpoint:
        figures["checkpoint"] = checkpoint(period)
    return figures


def trend(unit_ids, months: list[date]) -> dict:
    """Complaints per month for the charts: by channel, by category and corruption-related,
    for the given months (first days), from three grouped queries."""
    zone = timezone.get_default_timezone()
    start, end = month_period(months[0]).start, month_period(months[-1]).end
    labels = [f"{month:%Y-%m}" for month in months]
    in_range = dict(received_at__gte=start, received_at__lt=end)
    by_channel: dict[str, dict[str, int]] = {}
    for row in (Complaint.objects.filter(unit_id__in=unit_ids, **in_range)
                .annotate(month=TruncMonth("received_at", tzinfo=zone)).order_by()
                .values("month", "channel").annotate(n=Count("pk"))):
        by_channel.setdefault(row["channel"], {})[f"{row['month']:%Y-%m}"] = row["n"]
    by_category: dict[str, dict[str, int]] = {}
    corrupt: dict[str, int] = {}
    decisions = TriageDecision.objects.filter(
        current=True, complaint__unit_id__in=unit_ids,
        **{f"complaint__{key}": value for key, value in in_range.items()})
    for row in (Category.objects.filter(decisions__in=decisions)
                .annotate(month=TruncMonth("decisions__complaint__received_at", tzinfo=zone))
                .order_by().values("month", "code").annotate(n=Count("decisions"))):
        by_category.setdefault(row["code"], {})[f"{row['month']:%Y-%m}"] = row["n"]
    for row in (decisions.filter(corruption_related=True)
                .annotate(month=TruncMonth("complaint__received_at", tzinfo=zone))
                .order_by().values("month").annotate(n=Count("pk"))):
        corrupt[f"{row['month']:%Y-%m}"] = row["n"]
    return {"months": labels, "by_channel": by_channel, "by_category": by_category,
            "corruption": corrupt}


def per_unit(unit_ids, period: Period) -> dict[int, dict[str, int]]:
    """For consolidation: each unit's received total and corruption-related count in the
    period, from two grouped queries."""
    result = {unit_id: {"received": 0, "corruption": 0} for unit_id in unit_ids}
    in_period = dict(received_at__gte=period.start, received_at__lt=period.end)
    for row in (Complaint.objects.filter(unit_id__in=unit_ids, **in_period).order_by()
                .values("unit_id").annotate(n=Count("pk"))):
        result[row["unit_id"]]["received"] = row["n"]
    for row in (TriageDecision.objects.filter(
            current=True, corruption_related=True, complaint__unit_id__in=unit_ids,
            **{f"complaint__{key}": value for key, value in in_period.items()})
            .order_by().values("complaint__unit_id").annotate(n=Count("pk"))):
        result[row["complaint__unit_id"]]["corruption"] = row["n"]
    return result


ALL_CHANNELS = [choice.value for choice in Channel]
ALL_KINDS = [choice.value for choice in Kind]
ALL_STATUSES = [choice.value for choice in Status]
