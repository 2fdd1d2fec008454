"""How the pages show a report: a month's standing in the lists (filed, filed nil, late)
and the figures with their labels in the active language. Shared by the pages and the
exports, so both say the same thing the same way."""

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from audit.chain import parse_timestamp
from audit.models import AuditEvent
from intake.models import BoxOpening, Channel, Complaint, Kind, Recusal, Status
from org.calendar import WorkingCalendar
from org.models import Unit
from outbox.models import Agency
from reporting import services
from reporting.figures import CLOCKS
from reporting.models import MonthlyReport, State
from routing.models import AgencyAnswer, Category, Referral, ReferralState

CLOCK_LABELS = {
    "acknowledge": pgettext_lazy("report clock", "Acknowledging receipt"),
    "resolve": pgettext_lazy("report clock", "Resolving the complaint"),
    "refer": pgettext_lazy("report clock", "Referring to the agency"),
    "agency_acknowledge": pgettext_lazy("report clock", "Agency's acknowledgement"),
}

# What a month's report is, for the lists: its latest version's state, or an earlier
# version approved while a correction is under way, or nothing yet.
STANDINGS = {
    "filed": pgettext_lazy("report standing", "Filed"),
    "correcting": pgettext_lazy("report standing", "Filed; correction in progress"),
    "prepared": pgettext_lazy("report standing", "Prepared, awaiting review"),
    "draft": pgettext_lazy("report standing", "Draft"),
    "missing": pgettext_lazy("report standing", "Not drafted yet"),
    "before": pgettext_lazy("report standing", "Before the unit's records begin"),
}


# --- how a month stands ---------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """A unit's report on one month, as the lists show it."""

    unit: Unit
    period: date
    latest: MonthlyReport | None  # the latest version
    filed: MonthlyReport | None  # the latest approved version
    due: date
    today: date
    since: date | None = None  # from when the unit owes reports (records_begin)

    @property
    def status(self) -> str:
        if self.latest is None:
            before = self.since is None or self.period < self.since.replace(day=1)
            return "before" if before else "missing"
        if self.latest.state == State.APPROVED:
            return "filed"
        if self.filed is not None:
            return "correcting"
        return self.latest.state

    @property
    def status_label(self) -> str:
        return str(STANDINGS[self.status])

    @property
    def nil(self) -> bool | None:
        report = self.filed or self.latest
        return None if report is None else bool(report.figures.get("nil"))

    @property
    def late(self) -> bool:
        """Not approved by the due day; a month before the unit's records begin, with no
        report, is owed nothing and is never late."""
        return self.filed is None and self.today > self.due and self.status != "before"

    @property
    def url(self) -> str:
        return reverse("reporting:month", kwargs={"unit_code": self.unit.code,
                                                  "month": f"{self.period:%Y-%m}"})


LISTED_FIELDS = ("unit_id", "period", "version", "state", "reference", "figures",
                 "approved_at")


def _local_day(occurred_at: str) -> date:
    return _local_date(parse_timestamp(occurred_at))


def _local_date(moment) -> date:
    return timezone.localtime(moment).date()


def first_recorded(unit_ids) -> dict[int, date]:
    """The day each unit's own records begin: the earliest of its first audit event (its
    first complaint logged, box opened, report drafted, and so on), its first complaint's
    day of receipt and its first box opening, in local dates. The last two matter when
    paper from before the installation is logged after it. Units are set up without an
    audit event (org keeps no creation date), so this is the earliest thing the system can
    say the unit did; a unit with nothing recorded is absent (records_begin falls back to
    the installation's first event)."""
    ids, found = list(unit_ids), {}
    sources = (
        (AuditEvent.objects.filter(unit_id__in=ids), "occurred_at", _local_day),
        (Complaint.objects.filter(unit_id__in=ids), "received_at", _local_date),
        (BoxOpening.objects.filter(unit_id__in=ids), "opened_at", _local_date),
    )
    for rows, field, day_of in sources:
        for row in rows.values("unit_id").annotate(first=Min(field)).order_by():
            day = day_of(row["first"])
            found[row["unit_id"]] = min(day, found.get(row["unit_id"], day))
    return found


def installation_began() -> date | None:
    """The day of the installation's first audit event, or None on one that has recorded
    nothing yet."""
    first = AuditEvent.objects.order_by("seq").values_list("occurred_at", flat=True).first()
    return _local_day(first) if first else None


def records_begin(unit_ids) -> dict[int, date | None]:
    """From which day each unit owes monthly reports: its own first record, else the
    installation's first (a unit there from the start that has recorded nothing yet still
    owes its nil reports). A new installation therefore owes nothing for the months before
    it, and a unit that started mid-year nothing for the months before it started."""
    own, installed = first_recorded(unit_ids), None
    if set(unit_ids) - set(own):
        installed = installation_began()
    return {pk: own.get(pk, installed) for pk in unit_ids}


def standings_of(pairs, today: date) -> list[Standing]:
    """`pairs` of (unit, month); their reports read in one query, and the day each unit's
    records begin in another (a month before it with no report is not late)."""
    pairs = list(pairs)
    units = {unit.pk for unit, _period in pairs}
    months = {period for _unit, period in pairs}
    latest, filed = {}, {}
    if pairs:
        for report in (MonthlyReport.objects.filter(unit_id__in=units, period__in=months)
                       .order_by("version").only(*LISTED_FIELDS)):
            key = (report.unit_id, report.period)
            latest[key] = report
            if report.state == State.APPROVED:
                filed[key] = report
    since = records_begin(units) if pairs else {}
    # Each unit's calendar read once for all its months.
    calendars = {unit.pk: WorkingCalendar(unit) for unit, _period in pairs}
    return [Standing(unit, period, latest.get((unit.pk, period)), filed.get((unit.pk, period)),
                     services.due_day(unit, period, calendars[unit.pk]), today,
                     since.get(unit.pk))
            for unit, period in pairs]


# --- the figures, readable --------------------------------------------------------------------

def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso[:10]) if iso else None


def _counted(choices, counts: dict) -> list[tuple[str, int]]:
    """Every choice with its count, zeros included; codes no longer a choice at the end."""
    labels = dict(choices.choices)
    rows = [(str(label), counts.get(value, 0)) for value, label in labels.items()]
    return rows + [(value, n) for value, n in counts.items() if value not in labels]


def _referral(row: dict, states: dict, agencies: dict) -> dict:
    # The figures keep the agency's code ("atg"); a person reads its name.
    return {**row, "state_label": states.get(row["state"], row["state"]),
            "agency": agencies.get(row["agency"], row["agency"]),
            "prepared_on": _day(row.get("prepared_on")),
            "acknowledged_on": _day(row.get("acknowledged_on"))}


def _checkpoint(mark: dict | None) -> dict | None:
    if mark is None:
        return None
    signed = mark.get("signed")
    if signed:
        signed = {**signed, "made_at": parse_timestamp(signed["made_at"])}
    return {**mark, "signed": signed}


def recused_references(user) -> frozenset[str]:
    """The reference numbers of the complaints `user` is recused from and of their
    referrals: what a report must not show that person."""
    complaints = Recusal.objects.filter(user=user).values_list("complaint__reference",
                                                               flat=True)
    referrals = Referral.objects.filter(complaint__recusals__user=user).values_list(
        "reference", flat=True)
    return frozenset(complaints) | frozenset(referrals)


def names_any(figures: dict, hidden: frozenset[str]) -> bool:
    """Whether the figures list any of the `hidden` complaints or referrals."""
    if not hidden:
        return False
    listed = set()
    for row in figures["corruption"]["complaints"]:
        listed.add(row["reference"])
        listed.update(referral["reference"] for referral in row["referrals"])
    for row in figures["earlier_referrals"]:
        listed.update((row["reference"], row["complaint"]))
    listed.update(item["referral"] for item in figures["agency_answers"]["items"])
    return bool(listed & hidden)


def _hidden_referral(row: dict, hidden: frozenset[str]) -> bool:
    return row["reference"] in hidden or row.get("complaint") in hidden


EARLIER_PER_PAGE = 50


def _earlier_page(rows: list[dict], number: str | None, hidden, states, agencies) -> Page:
    page = Paginator(rows, EARLIER_PER_PAGE).get_page(number)
    page.object_list = [
        {"hidden": True} if _hidden_referral(row, hidden) else _referral(row, states, agencies)
        for row in page.object_list]
    return page


def readable(figures: dict, hidden: frozenset[str] = frozenset(), *,
             earlier_page: str | None = None) -> dict:
    """The figures as the pages show them: labels in the active language, days as dates.
    Rows about the `hidden` complaints and referrals (those the reader is recused from)
    keep their place in the counts but show none of their details. Referrals from earlier
    periods are shown EARLIER_PER_PAGE at a time (`earlier_page`, the page's number as the
    address gave it): a nation's open referrals would otherwise make one endless page."""
    categories = list(Category.objects.all())
    names = {category.code: category.name for category in categories}
    counts = figures["by_category"]
    by_category = [(category.name, counts.get(category.code, 0)) for category in categories
                   if category.active or category.code in counts]
    by_category += [(code, n) for code, n in counts.items() if code not in names]
    states = {value: str(label) for value, label in ReferralState.choices}
    agencies = {agency.code: agency.name for agency in Agency.objects.all()}
    channels, statuses = dict(Channel.choices), dict(Status.choices)
    corruption = [{"hidden": True} if row["reference"] in hidden else {
        **row, "received_on": _day(row["received_on"]),
        "channel_label": channels.get(row["channel"], row["channel"]),
        "status_label": statuses.get(row["status"], row["status"]),
        "category_names": [names.get(code, code) for code in row["categories"]],
        "referrals": [_referral(referral, states, agencies) for referral in row["referrals"]],
    } for row in figures["corruption"]["complaints"]]
    answer_kinds, boxes = dict(AgencyAnswer.Kind.choices), dict(BoxOpening.Box.choices)
    received = figures["received"]
    return {
        "received": received,
        "by_channel": _counted(Channel, received["by_channel"]),
        "by_kind": _counted(Kind, received["by_kind"]),
        "by_status": _counted(Status, received["by_status"]),
        "by_category": by_category,
        "untriaged": figures["untriaged"],
        "nil": figures["nil"],
        "corruption": {**figures["corruption"], "complaints": corruption},
        "earlier": _earlier_page(figures["earlier_referrals"], earlier_page, hidden, states,
                                 agencies),
        "no_agency_answers": figures["no_agency_answers"],
        "agency_answers": {**figures["agency_answers"], "items": [
            {"hidden": True} if item["referral"] in hidden else
            {**item, "kind_label": answer_kinds.get(item["kind"], item["kind"]),
             "agency": agencies.get(item["agency"], item["agency"]),
             "answered_on": _day(item["answered_on"])}
            for item in figures["agency_answers"]["items"]]},
        "box_openings": {**figures["box_openings"], "items": [
            {**item, "box_label": boxes.get(item["box"], item["box"]),
             "opened_on": _day(item["opened_on"])}
            for item in figures["box_openings"]["items"]]},
        "clocks": [{"label": CLOCK_LABELS[name], **figures["clocks"][name]}
                   for name in CLOCKS if name in figures["clocks"]],
        "has_checkpoint": "checkpoint" in figures,
        "checkpoint": _checkpoint(figures.get("checkpoint")),
    }
