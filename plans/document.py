"""What the implementation report says, whatever its file format: the title, the date line
and the place, the five-column table with the goals as spanning rows, the average level
and the two signatures. plans.writers lays it out as DOCX, PDF and XLSX.

The document is the official form sent to the agency and the parent authority, which is
written in Mongolian whatever the language of the page that asks for it: its fixed words go
through gettext and are always put into Mongolian (FORM_LANGUAGE); the date line's words
are core.grammar's.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from core.grammar import Case, date_line, inflect
from org.models import Membership
from plans.models import Performance, PlanReport

# The form's fixed words, in gettext like every word shown, and always put into Mongolian:
# the form sent to the agency is Mongolian whatever the language of the page that asks.
FORM_LANGUAGE = "mn"
HEADER = (pgettext_lazy("plan report column", "No."),
          pgettext_lazy("plan report column", "Goal"),
          pgettext_lazy("plan report column", "Measure to carry out"),
          pgettext_lazy("plan report column", "Criterion"),
          pgettext_lazy("plan report column", "Performance"))
WRITTEN = pgettext_lazy("plan report signature", "REPORT WRITTEN BY")
REVIEWED = pgettext_lazy("plan report signature", "REPORT REVIEWED BY")
TITLE = pgettext_lazy("plan report title",
                      "Implementation of the %(year)s anti-corruption plan of %(unit)s")
GOAL = pgettext_lazy("plan report", "Goal %(number)s. %(text)s")
LEVEL = pgettext_lazy("plan report", "Level of implementation: %(level)s%%")
AVERAGE = pgettext_lazy("plan report", "Average level of the plan's implementation: "
                        "%(level)s%%")
PERIODS = {PlanReport.Kind.HALF: pgettext_lazy("plan report", "the first half of %(year)s"),
           PlanReport.Kind.YEAR: pgettext_lazy("plan report", "the year %(year)s"),
           PlanReport.Kind.AS_OF: pgettext_lazy("plan report", "as of %(through)s")}


@dataclass(frozen=True)
class Row:
    """A goal's spanning row (goal set, the rest empty) or a measure's row."""

    goal: str = ""
    number: str = ""
    measure: str = ""
    criterion: str = ""
    performance: str = ""


@dataclass(frozen=True)
class Signature:
    heading: str
    position: str
    name: str


@dataclass(frozen=True)
class PlanDocument:
    filename: str
    header: tuple[str, ...]
    title: str
    period: str
    dateline: str
    place: str
    rows: list[Row]
    average: str
    signatures: list[Signature] = field(default_factory=list)


def average_level(performances) -> int | None:
    """The plan's level: the mean of its measures' self-assessed levels, in %."""
    values = [p.level for p in performances]
    return round(sum(values) / len(values)) if values else None


def signed_name(user) -> str:
    """A person as the form signs them: the initial of the father's name and the given name,
    in capitals ("Н.ЦЭНДМАА")."""
    if user is None:
        return ""
    initial = (user.last_name or "").strip().rstrip(".")[:1]
    given = (user.first_name or "").strip()
    return (f"{initial}.{given}" if initial else given).upper()


def _position(user, unit) -> str:
    if user is None:
        return ""
    found = (Membership.objects.filter(user=user, unit=unit).exclude(position="")
             .values_list("position", flat=True).first())
    return (found or "").upper()


def _rows(performances: list[Performance]) -> list[Row]:
    rows, goal = [], None
    for performance in performances:
        measure = performance.measure
        if measure.goal_id != goal:
            goal = measure.goal_id
            rows.append(Row(goal=GOAL % {"number": measure.goal.number,
                                          "text": measure.goal.text}))
        text = performance.text.strip()
        rows.append(Row(number=measure.number, measure=measure.text,
                        criterion=measure.criterion,
                        performance=f"{text}\n{LEVEL % {'level': performance.level}}"
                        .strip()))
    return rows


def build(report: PlanReport, performances: list[Performance] | None = None) -> PlanDocument:
    """The document of `report`; `performances` in place of its stored ones makes a preview
    of a report not saved (plans.reports.preview)."""
    if performances is None:
        performances = list(report.performances.select_related("measure__goal"))
    with translation.override(FORM_LANGUAGE):
        return _document(report, performances)


def _document(report: PlanReport, performances: list[Performance]) -> PlanDocument:
    unit = report.unit
    # An "as of" report is dated the day it speaks for, as the reference is; the others
    # the day they were approved (or today, for a draft).
    day: date = (report.through if report.kind == PlanReport.Kind.AS_OF
                 else timezone.localdate(report.approved_at) if report.approved_at
                 else timezone.localdate())
    average = average_level(performances)
    return PlanDocument(
        filename=f"{unit.code}-plan-{report.year}-{report.period_key}-v{report.version}",
        header=tuple(str(word) for word in HEADER),
        title=(TITLE % {"unit": inflect(unit.name_mn, Case.GENITIVE), "year": report.year})
        .upper(),
        period=PERIODS[report.kind] % {
            "year": report.year, "through": date_line(report.through).removesuffix(" өдөр")},
        dateline=date_line(day), place=unit.place_mn, rows=_rows(performances),
        average=AVERAGE % {"level": average} if average is not None else "",
        signatures=[
            Signature(str(WRITTEN), _position(report.prepared_by, unit),
                      signed_name(report.prepared_by)),
            Signature(str(REVIEWED), _position(report.approved_by, unit),
                      signed_name(report.approved_by)),
        ])
