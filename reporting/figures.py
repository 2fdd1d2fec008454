"""The figures of a report: counts from the per-unit, per-month counters, lists from rows.

Nothing here loads a complaint: counts come from the counters kept as the records change
(intake.tallies; one query, however many complaints there are), and the few rows a report
lists (corruption-related complaints, referrals, the agency's recommendations and notices,
box openings) come from `values()` queries over metadata only, bounded by the unit and the
period. No sealed field is read, so no figure can carry what a reporter wrote. Every count
can also be taken from the rows themselves (`source=ROWS`), which is what the nightly check
(intake.tally_check) and the reconciliation tests compare the counters with.

A period runs from local midnight (Asia/Ulaanbaatar) on its first day to local midnight on
the day after its last; a date-based clock is met when the thing was done before local
midnight after its due day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from audit.chain import timestamp as chain_timestamp
from audit.models import AuditEvent, Checkpoint
from intake.models import BoxOpening, Channel, Complaint, Kind, Status
from intake.tallies import Tallies, tallies_recount, tallies_stored
from routing.models import AgencyAnswer, Category, Referral, ReferralState

FORMAT = 1
ANSWER_KINDS = (AgencyAnswer.Kind.RECOMMENDATION, AgencyAnswer.Kind.NOTICE)
CLOCKS = ("acknowledge", "resolve", "refer", "agency_acknowledge")
# Where the counts come from: the counters (intake.tallies), or the rows counted again.
TALLIES, ROWS = "tallies", "rows"


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


def _local_day(moment) -> str | None:
    """The local (Asia/Ulaanbaatar) day of `moment`; astimezone on the default zone, as
    timezone.localtime's look-up of the current zone costs more than the rest of a row."""
    return moment.astimezone(timezone.get_default_timezone()).date().isoformat() if moment else None


def _months(period: Period) -> tuple[date, date]:
    """The first days of the period's first and last months; a report covers whole months."""
    if period.first.day != 1 or month_period(period.last).last != period.last:
        raise ValueError(f"{period.label}: a report's period is whole months")
    return period.first, period.last.replace(day=1)


def counted(unit_ids, first: date, last: date, source: str = TALLIES) -> Tallies:
    """The counters of `unit_ids` from month `first` to month `last`: those kept as the
    records changed (one query), or, with `source=ROWS`, counted again from the rows."""
    if source == ROWS:
        return tallies_recount(unit_ids=unit_ids, first=first, last=last)
    if source != TALLIES:
        raise ValueError(f"unknown source of figures {source!r}")
    return tallies_stored(unit_ids=unit_ids, first=first, last=last)


def _by(tallies: Tallies, prefix: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for (_unit, _month, key), n in tallies.items():
        if key.startswith(prefix):
            found[key[len(prefix):]] = found.get(key[len(prefix):], 0) + n
    return {key: n for key, n in found.items() if n}


def _total(tallies: Tallies, key: str) -> int:
    return sum(n for (_unit, _month, name), n in tallies.items() if name == key)


def clocks(tallies: Tallies) -> dict[str, dict[str, int]]:
    """Of the things due within the period, how many were done on or before their due day
    (local time) and how many were not (late, or still not done)."""
    result = {}
    for name in CLOCKS:
        due, met = _total(tallies, f"clock:{name}:due"), _total(tallies, f"clock:{name}:met")
        result[name] = {"due": due, "met": met, "missed": due - met}
    return result


def received(tallies: Tallies) -> dict:
    """Complaints received in the period: in all, by channel, by kind and by status now."""
    by_channel = _by(tallies, "channel:")
    return {"total": sum(by_channel.values()), "by_channel": by_channel,
            "by_kind": _by(tallies, "kind:"), "by_status": _by(tallies, "status:")}


def categories(tallies: Tallies, total: int) -> tuple[dict[str, int], int]:
    """How many of the period's complaints the current triage put in each category (a
    complaint may be in several), and how many of the period's `total` have no triage
    decision yet (a complaint has at most one current decision)."""
    return _by(tallies, "category:"), total - _total(tallies, "triaged")


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
    # Which ones first, from two indexes alone (the queue's unit and day, the current
    # corruption-related triage), then their rows: asked in one join, PostgreSQL read the
    # month's complaints of every unit by their day and kept the unit's (10 ms against 1.3
    # for a unit's month of 10^6 complaints, bench/report.py's database).
    chosen = Complaint.objects.filter(
        unit_id__in=unit_ids, received_at__gte=period.start, received_at__lt=period.end,
        triage_decisions__current=True, triage_decisions__corruption_related=True).values("pk")
    complaints = list(Complaint.objects.filter(pk__in=chosen).order_by("received_at", "pk")
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


def period_figures(unit_ids, period: Period, *, with_checkpoint: bool = True,
                   source: str = TALLIES) -> dict:
    """Everything a report states about `unit_ids` in `period`, as plain JSON: the counts
    from the counters (`source`, see `counted`), the lists from the rows."""
    unit_ids = sorted(unit_ids)
    tallies = counted(unit_ids, *_months(period), source)
    in_all = received(tallies)
    by_category, untriaged = categories(tallies, in_all["total"])
    listed = corruption(unit_ids, period)
    answers = agency_answers(unit_ids, period)
    openings = box_openings(unit_ids, period)
    figures = {
        "format": FORMAT,
        "period": {"label": period.label, "first": period.first.isoformat(),
                   "last": period.last.isoformat()},
        "received": in_all,
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
        "clocks": clocks(tallies),
    }
    figures["nil"] = figures["corruption"]["count"] == 0
    figures["no_agency_answers"] = not answers
    if with_checkpoint:
        figures["checkpoint"] = checkpoint(period)
    return figures


def trend(unit_ids, months: list[date], *, source: str = TALLIES) -> dict:
    """Complaints per month for the charts: by channel, by category and corruption-related,
    for the given months (first days), from the counters (one query)."""
    labels = [f"{month:%Y-%m}" for month in months]
    tallies = counted(list(unit_ids), months[0], months[-1], source)
    by_channel: dict[str, dict[str, int]] = {}
    by_category: dict[str, dict[str, int]] = {}
    corrupt: dict[str, int] = {}
    for (_unit, month, key), n in sorted(tallies.items()):
        label = f"{month:%Y-%m}"
        if not n or label not in labels:
            continue
        kind, _sep, value = key.partition(":")
        found = {"channel": by_channel, "category": by_category}.get(kind)
        if found is not None:
            found.setdefault(value, {})
            found[value][label] = found[value].get(label, 0) + n
        elif key == "corruption":
            corrupt[label] = corrupt.get(label, 0) + n
    return {"months": labels, "by_channel": by_channel, "by_category": by_category,
            "corruption": corrupt}


def per_unit(unit_ids, period: Period, *, source: str = TALLIES) -> dict[int, dict[str, int]]:
    """For consolidation: each unit's received total and corruption-related count in the
    period, from the counters (one query)."""
    result = {unit_id: {"received": 0, "corruption": 0} for unit_id in unit_ids}
    for (unit_id, _month, key), n in counted(list(unit_ids), *_months(period), source).items():
        if key.startswith("channel:"):
            result[unit_id]["received"] += n
        elif key == "corruption":
            result[unit_id]["corruption"] += n
    return result


ALL_CHANNELS = [choice.value for choice in Channel]
ALL_KINDS = [choice.value for choice in Kind]
ALL_STATUSES = [choice.value for choice in Status]
