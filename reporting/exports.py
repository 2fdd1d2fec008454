"""A monthly report, or any period's statistics, as DOCX, PDF, XLSX or CSV.

Each format renders the same `Layout`, built here from the report's document
(`reporting.document.content`) or from a period's figures: so the four cannot disagree. What
a layout holds is what the document holds: counts, reference numbers, category names, agency
codes, the clerk's narrative and the signatories' names and positions. No complaint is read.

Everything visible goes through gettext in the active language; the command and the paper
form use Mongolian. The DOCX follows the paper form (Times New Roman, which Word shows in
Cyrillic); the PDF embeds DejaVu Sans (reporting.fonts) and renders the same report to the
same bytes every time.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from audit.chain import parse_timestamp
from intake.models import BoxOpening, Channel, Kind, Status
from reporting import document, fonts
from reporting.display import CLOCK_LABELS
from reporting.figures import CLOCKS, Period, month_period, quarter_period
from reporting.models import State
from reporting.writers import Layout, Section, Signature, Table, day_text, render
from routing.models import AgencyAnswer, Category, ReferralState

FORMATS = ("docx", "pdf", "xlsx", "csv")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
FontMissing = fonts.FontMissing

# Mongolian writes a month as its number and an ordinal ("10 дугаар сар"); the ordinal's
# vowels follow the number's, so each month is its own message.
MONTHS = [
    pgettext_lazy("report period", "January"), pgettext_lazy("report period", "February"),
    pgettext_lazy("report period", "March"), pgettext_lazy("report period", "April"),
    pgettext_lazy("report period", "May"), pgettext_lazy("report period", "June"),
    pgettext_lazy("report period", "July"), pgettext_lazy("report period", "August"),
    pgettext_lazy("report period", "September"), pgettext_lazy("report period", "October"),
    pgettext_lazy("report period", "November"), pgettext_lazy("report period", "December"),
]
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Export:
    data: bytes
    content_type: str
    filename: str


# --- words ---------------------------------------------------------------------------------

def _english() -> bool:
    return translation.get_language() == "en"


def _either(mongolian: str, english: str) -> str:
    return english if _english() and english else mongolian




def month_phrase(first: date) -> str:
    """"2026 оны 10 дугаар сар" in Mongolian, "October 2026" in English."""
    return _("%(month)s %(year)s") % {"month": MONTHS[first.month - 1], "year": first.year}


def period_phrase(period: Period) -> str:
    """A month as month_phrase, a quarter as "2026 оны III улирал", else the two days."""
    def same(other: Period) -> bool:
        return (period.first, period.last) == (other.first, other.last)

    if same(month_period(period.first)):
        return month_phrase(period.first)
    if same(quarter_period(period.first.year, (period.first.month + 2) // 3)):
        return _("Quarter %(quarter)s of %(year)s") % {
            "quarter": ROMAN[period.first.month // 3], "year": period.first.year}
    return f"{day_text(period.first)} – {day_text(period.last)}"


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso[:10]) if iso else None


def _moment_text(iso: str | None) -> str:
    if not iso:
        return ""
    return f"{timezone.localtime(datetime.fromisoformat(iso)):%Y.%m.%d %H:%M}"


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


# --- the sections every export has -----------------------------------------------------------

def _counted(title: str, heading: str, choices, counts: dict, lines=()) -> Section:
    """Every choice with its count, the zeros included, as the paper form lists them."""
    labels = _labels(choices)
    rows = [(label, counts.get(value, 0)) for value, label in labels.items()]
    rows += [(value, n) for value, n in counts.items() if value not in labels]
    return Section(title, lines=list(lines), table=Table(
        (heading, _("Number")), rows, total=(_("Total"), sum(counts.values()))))


def _categories(figures: dict, categories: list[Category]) -> Section:
    counts = figures["by_category"]
    known = {category.code for category in categories}
    rows = [(category.name, counts.get(category.code, 0)) for category in categories
            if category.active or category.code in counts]
    rows += [(code, n) for code, n in counts.items() if code not in known]
    rows.append((_("Not triaged yet"), figures["untriaged"]))
    return Section(_("Received by category"),
                   lines=[_("A complaint may be in more than one category.")],
                   table=Table((_("Category"), _("Number")), rows))


def _referral_cells(referral: dict | None, states: dict) -> tuple:
    if referral is None:
        return ("", "", _("Not referred"), None, "")
    return (referral["reference"], referral["agency"],
            states.get(referral["state"], referral["state"]),
            _day(referral["acknowledged_on"]), referral["agency_reference"])


def _corruption(figures: dict, names: dict[str, str], states: dict) -> Section:
    title = _("Corruption-related complaints")
    found = figures["corruption"]
    if figures["nil"]:
        return Section(title, lines=[nil_statement()], strong=True)
    rows = []
    for complaint in found["complaints"]:
        first = (complaint["reference"], _day(complaint["received_on"]),
                 ", ".join(names.get(code, code) for code in complaint["categories"]))
        for referral in complaint["referrals"] or [None]:
            rows.append(first + _referral_cells(referral, states))
    header = (_("Reference number"), _("Received on"), _("Categories"),
              _("Referral number"), _("Agency"), _("State"), _("Acknowledged on"),
              _("Agency's reference number"))
    line = _("Corruption-related complaints received: %(count)s; referred: %(referred)s.")
    return Section(title, lines=[line % found], table=Table(header, rows))


def nil_statement() -> str:
    """The nil return (the statement that nothing corruption-related came in)."""
    return _("In the reporting period no complaint or information was received from "
             "citizens about officials concerning corruption or conflicts of interest.")


def no_answers_statement() -> str:
    """The statement that the agency sent no recommendation or notice (the plan's report
    says it in the same words)."""
    return _("No recommendation or notice was received from the agency in the reporting "
             "period.")


def _earlier(figures: dict, states: dict) -> Section:
    title = _("Referrals from earlier periods still open")
    items = figures["earlier_referrals"]
    if not items:
        return Section(title, lines=[_("No referral from an earlier period was open.")])
    header = (_("Referral number"), _("Reference number"), _("Agency"), _("State"),
              _("Prepared on"), _("Acknowledged on"), _("Agency's reference number"))
    rows = [(item["reference"], item["complaint"], item["agency"],
             states.get(item["state"], item["state"]), _day(item["prepared_on"]),
             _day(item["acknowledged_on"]), item["agency_reference"]) for item in items]
    return Section(title, table=Table(header, rows))


def _answers(figures: dict) -> Section:
    title = _("Recommendations and notices from the agency")
    answers = figures["agency_answers"]
    if figures["no_agency_answers"]:
        return Section(title, lines=[no_answers_statement()], strong=True)
    kinds = _labels(AgencyAnswer.Kind)
    rows = [(kinds.get(item["kind"], item["kind"]), _day(item["answered_on"]),
             item["referral"], item["agency"], item["agency_reference"])
            for item in answers["items"]]
    header = (_("Kind"), _("Date"), _("Referral number"), _("Agency"),
              _("Agency's reference number"))
    line = _("Recommendations: %(recommendations)s; notices: %(notices)s.") % answers
    return Section(title, lines=[line], table=Table(header, rows))


def _boxes(figures: dict) -> Section:
    title = _("Box openings")
    openings = figures["box_openings"]
    if not openings["items"]:
        return Section(title, lines=[_("No box was opened in the reporting period.")])
    boxes = _labels(BoxOpening.Box)
    rows = [(_day(item["opened_on"]), boxes.get(item["box"], item["box"]), item["slips"])
            for item in openings["items"]]
    line = _("Openings: %(count)s, of which with no slip: %(empty)s; slips: %(slips)s.")
    return Section(title, lines=[line % openings],
                   table=Table((_("Date"), _("Box"), _("Slips")), rows,
                               total=(_("Total"), "", openings["slips"])))


def _clocks(figures: dict) -> Section:
    clocks = figures["clocks"]
    rows = [(str(CLOCK_LABELS[name]), clocks[name]["due"], clocks[name]["met"],
             clocks[name]["missed"]) for name in CLOCKS if name in clocks]
    return Section(_("Deadlines falling in the period"),
                   table=Table((_("Deadline"), _("Due"), _("Met"), _("Missed")), rows))


def _sections(figures: dict) -> list[Section]:
    categories = list(Category.objects.all())
    names = {category.code: category.name for category in categories}
    states = _labels(ReferralState)
    received = figures["received"]
    return [
        _counted(_("Received by channel"), _("Channel"), Channel, received["by_channel"],
                 [_("Complaints and suggestions received: %(total)s.") % received]),
        _counted(_("Received by kind"), _("Kind"), Kind, received["by_kind"]),
        _counted(_("Received by status now"), _("Status"), Status, received["by_status"]),
        _categories(figures, categories),
        _corruption(figures, names, states),
        _earlier(figures, states),
        _answers(figures),
        _boxes(figures),
        _clocks(figures),
    ]


def _checkpoint(mark: dict | None) -> Section:
    title = _("Audit trail")
    if mark is None:
        return Section(title, lines=[_("The audit trail held no event at the end of the "
                                       "period.")])
    lines = [_("At the end of the period the audit trail stood at event %(seq)s "
               "(MAC %(mac)s…).") % {"seq": mark["period_end_seq"],
                                     "mac": mark["period_end_mac"][:16]}]
    signed = mark.get("signed")
    if signed:
        made = timezone.localtime(parse_timestamp(signed["made_at"]))
        lines.append(_("Signed checkpoint covering it: event %(seq)s, made %(made)s.") % {
            "seq": signed["seq"], "made": f"{made:%Y.%m.%d %H:%M}"})
    else:
        lines.append(_("No signed checkpoint covers the end of the period yet."))
    return Section(title, lines=lines)


# --- the two layouts -----------------------------------------------------------------------

def _monthly_layout(body: dict, document_sha256: str) -> Layout:
    unit = body["unit"]
    first = date.fromisoformat(f"{body['month']}-01")
    facts = [(_("Report number"), body["report"]), (_("Version"), body["version"])]
    if body["supersedes"]:
        facts += [(_("Corrects"), body["supersedes"]),
                  (_("Reason for the correction"), body["correction_reason"])]
    facts += [(_("State"), _labels(State).get(body["state"], body["state"])),
              (_("Figures as of"), _moment_text(body["figures_at"]))]
    sections = _sections(body["figures"])
    if body["narrative"]:
        sections.append(Section(_("Explanation"), lines=[
            line for line in body["narrative"].splitlines() if line.strip()]))
    sections.append(_checkpoint(body["figures"].get("checkpoint")))
    approved = body["state"] == State.APPROVED
    if approved and document_sha256:
        sections.append(Section(_("Document hash (SHA-256)"), lines=[document_sha256]))
    signatures = [
        Signature(_("REPORT WRITTEN BY"), *_signatory(body["prepared_by"])),
        Signature(_("REPORT REVIEWED BY"), *_signatory(body["approved_by"])),
    ]
    return Layout(
        reference=body["report"], unit_name=_either(unit["name_mn"], unit["name_en"]),
        title=_("Monthly report"), period=month_phrase(first),
        place=_either(unit["place_mn"], unit["place_en"]),
        day=_day(body["approved_at"]) if approved else timezone.localdate(),
        facts=facts, sections=sections, signatures=signatures,
    )


def _signatory(block: dict | None) -> tuple[str, str]:
    return (block["position"], block["name"]) if block else ("", "")


def _statistics_layout(unit, period: Period, figures: dict) -> Layout:
    return Layout(
        reference=f"{unit.code}-{period.label}", unit_name=unit.name,
        title=_("Statistics of complaints and suggestions"), period=period_phrase(period),
        place=unit.place, day=timezone.localdate(),
        facts=[(_("Period"), f"{day_text(period.first)} – {day_text(period.last)}")],
        sections=_sections(figures),
    )


# --- the public API ------------------------------------------------------------------------

def monthly(report, fmt: str) -> Export:
    """The report's document in `fmt`, in the active language."""
    _check(fmt)
    layout = _monthly_layout(document.content(report), report.document_sha256)
    return _export(layout, fmt, f"{report.reference}.{fmt}")


def statistics(unit, period: Period, figures: dict, fmt: str) -> Export:
    """A period's figures (period_figures(..., with_checkpoint=False)) in `fmt`: the same
    tables as a monthly report, without narrative or signatures."""
    _check(fmt)
    return _export(_statistics_layout(unit, period, figures), fmt,
                   f"{unit.code}-{period.label}.{fmt}")


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")


def _export(layout: Layout, fmt: str, filename: str) -> Export:
    return Export(data=render(layout, fmt), content_type=CONTENT_TYPES[fmt],
                  filename=filename)
