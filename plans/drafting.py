"""The performance text of a measure, drafted from the records.

Each measure names its source (plans.models.Source); a drafter per source gives, for a unit
and a period, the text and the figures the text was made from. The figures are stored with
the text (plans.models.Performance), so that when the records later give other figures the
report page marks the text stale and shows the difference.

Satisfaction surveys are drafted from surveys.results. Apps above plans add drafters with
`register(source, drafter)`; a drafter is
`drafter(unit, measure, period) -> Draft`. The texts are written in Mongolian, the
language of the report, whatever the page's language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.models import Activity, ActivityKind, OutreachChannel, Source, Training
from reporting.exports import nil_statement, no_answers_statement
from reporting.figures import Period
from reporting.models import MonthlyReport, State
from surveys.results import period_summary, summary_sentences


@dataclass(frozen=True)
class Draft:
    text: str = ""
    figures: dict = field(default_factory=dict)


_drafters: dict[str, Callable] = {}


def register(source: str, drafter: Callable) -> None:
    _drafters[source] = drafter


def draft_for(unit, measure, period: Period) -> Draft:
    drafter = _drafters.get(measure.source)
    if drafter is None:
        return Draft()
    with translation.override(settings.LANGUAGE_CODE):
        return drafter(unit, measure, period)


def figures_for(unit, measure, period: Period) -> dict:
    return draft_for(unit, measure, period).figures


def _day(day) -> str:
    return f"{day:%Y.%m.%d}"


# --- complaints: from the approved monthly reports -------------------------------------------

def approved_months(unit, period: Period) -> dict[str, dict]:
    """The frozen figures of the latest approved version of each of the unit's monthly
    reports within the period, by month (YYYY-MM)."""
    found: dict[str, tuple[int, dict]] = {}
    for month, version, figures in (MonthlyReport.objects.filter(
            unit=unit, state=State.APPROVED, period__gte=period.first.replace(day=1),
            period__lte=period.last).values_list("period", "version", "figures")):
        key = f"{month:%Y-%m}"
        if key not in found or found[key][0] < version:
            found[key] = (version, figures)
    return {key: figures for key, (_version, figures) in sorted(found.items())}


def _months_of(period: Period) -> list[str]:
    months, year, month = [], period.first.year, period.first.month
    while (year, month) <= (period.last.year, period.last.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def complaints_draft(unit, measure, period: Period) -> Draft:
    """Measure 3.2's text: the corruption-related complaints and the agency's
    recommendations and notices, as the approved monthly reports state them (so the two can
    never disagree), with the monthly reports' own nil statements when there were none."""
    months = approved_months(unit, period)
    figures = {
        "corruption": sum(f.get("corruption", {}).get("count", 0) for f in months.values()),
        "referred": sum(f.get("corruption", {}).get("referred", 0) for f in months.values()),
        "recommendations": sum(f.get("agency_answers", {}).get("recommendations", 0)
                               for f in months.values()),
        "notices": sum(f.get("agency_answers", {}).get("notices", 0) for f in months.values()),
        "months": list(months),
        "months_missing": [m for m in _months_of(period) if m not in months],
    }
    lines = []
    if figures["recommendations"] + figures["notices"] == 0:
        lines.append(no_answers_statement())
    else:
        lines.append(_("In the reporting period the agency sent %(recommendations)s "
                       "recommendation(s) and %(notices)s notice(s).") % figures)
    if figures["corruption"] == 0:
        lines.append(nil_statement())
    else:
        lines.append(ngettext(
            "In the reporting period %(count)s corruption-related complaint about staff was "
            "received; %(referred)s referred to the agency.",
            "In the reporting period %(count)s corruption-related complaints about staff "
            "were received; %(referred)s referred to the agency.",
            figures["corruption"]) % {"count": figures["corruption"],
                                      "referred": figures["referred"]})
    if figures["months_missing"]:
        lines.append(_("Monthly reports not approved yet: %(months)s.")
                     % {"months": ", ".join(figures["months_missing"])})
    return Draft(" ".join(lines), figures)


# --- trainings ------------------------------------------------------------------------------

def _same_measure(queryset, unit, measure, period: Period):
    """Records of the unit in the period against this measure's number in this year's plan,
    whichever version of the plan they were recorded against."""
    return queryset.filter(unit=unit, day__gte=period.first, day__lte=period.last,
                           measure__number=measure.number,
                           measure__goal__plan__year=measure.goal.plan.year)


def coverage(attended: int, staff: int) -> int:
    return round(100 * attended / staff) if staff else 0


def trainings_draft(unit, measure, period: Period) -> Draft:
    trainings = list(_same_measure(Training.objects, unit, measure, period)
                     .annotate(attended=Count("attendees")).order_by("day", "pk"))
    items = [{"day": t.day.isoformat(), "topic": t.topic, "attended": t.attended,
              "staff": t.staff_count} for t in trainings]
    lines = [_("%(day)s: %(trainer)s trained staff on %(topic)s; %(attended)s of %(staff)s "
               "staff attended (%(coverage)s%%).") % {
        "day": _day(t.day), "trainer": t.trainer, "topic": t.topic, "attended": t.attended,
        "staff": t.staff_count, "coverage": coverage(t.attended, t.staff_count)}
        + (" " + _("Law articles introduced: %(articles)s.") % {"articles": t.articles}
           if t.articles else "")
        for t in trainings]
    if not lines:
        lines = [_("No training was recorded in the reporting period.")]
    return Draft(" ".join(lines), {"trainings": items, "count": len(items)})


# --- outreach and other activities ----------------------------------------------------------

def outreach_draft(unit, measure, period: Period) -> Draft:
    activities = list(_same_measure(Activity.objects, unit, measure, period)
                      .order_by("day", "pk"))
    kinds, channels = dict(ActivityKind.choices), dict(OutreachChannel.choices)
    lines, by_kind = [], {}
    for activity in activities:
        by_kind[activity.kind] = by_kind.get(activity.kind, 0) + 1
        label = channels.get(activity.channel) if activity.channel else kinds[activity.kind]
        where = f", {activity.place}" if activity.place else ""
        text = f"{_day(activity.day)}{where} ({label}): {activity.description.strip()}"
        if activity.feedback:
            text += " " + _("Feedback: %(feedback)s") % {"feedback": activity.feedback.strip()}
        lines.append(text.rstrip(".") + ".")
    if not lines:
        lines = [_("No activity was recorded in the reporting period.")]
    return Draft(" ".join(lines), {"activities": len(activities), "by_kind": by_kind})


def surveys_draft(unit, measure, period: Period) -> Draft:
    """The satisfaction surveys whose rounds began in the period, as surveys.results states
    them; the figures kept are each question's counts, so a tally typed in later marks the
    text stale."""
    summary = period_summary(unit, period.first, period.last)
    if summary is None:
        return Draft(_("No satisfaction survey was answered in the reporting period."),
                     {"rounds": 0, "answers": 0})
    counts = {question.code: {share.label: share.count for share in question.shares}
              for question in summary.questions}
    return Draft(" ".join(summary_sentences(summary)),
                 {"rounds": summary.rounds, "answers": summary.answers, "counts": counts})


def register_builtin() -> None:
    for source, drafter in ((Source.COMPLAINTS, complaints_draft),
                            (Source.TRAININGS, trainings_draft),
                            (Source.OUTREACH, outreach_draft),
                            (Source.SURVEYS, surveys_draft)):
        _drafters.setdefault(source, drafter)
