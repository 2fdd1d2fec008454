"""What reporting's audit events mean in words (audit.vocabulary), registered when reporting
loads: the monthly report's actions, their details, and reports named by their month, linked
to the month's page for those who may read the unit's reports (reporting.access.may_read)."""

import re
from datetime import date

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.vocabulary import Field, Named, Reader
from reporting.access import may_read
from reporting.figures import parse_month
from reporting.models import MonthlyReport, State

HASH = "hash"
MONTH = re.compile(r"^\d{4}[.-]\d{2}$")


def register() -> None:
    words.register_choices("report_state", State.choices)
    words.register_choices("report_state", {
        "missing": pgettext_lazy("report standing", "Not drafted yet")})
    words.register_choices("content", {"narrative": _("Explanation")})
    words.register_kind("figures", format=figures_summary)
    words.register_fields({
        "report": Field(_("Report number")), "month": Field(_("Month"), "month"),
        "version": Field(_("Version"), "count"), "nil": Field(_("Nil report"), "bool"),
        "narrative_chars": Field(_("Length of the explanation"), "count"),
        "reason_chars": Field(_("Length of the reason"), "count"),
        "figures_sha256": Field(_("Figures hash (SHA-256)"), HASH),
        "supersedes": Field(_("Corrects report"))})
    words.register_group("report", _("Monthly reports"))
    action = words.register_action
    action("report.drafted", _("Drafted the monthly report"))
    action("report.edited", _("Edited the monthly report's explanation"), fields={
        "from_state": Field(_("State before"), "report_state")})
    action("report.prepared", _("Wrote the monthly report and sent it for review"))
    action("report.sent_back", _("Sent the monthly report back to be redone"))
    action("report.approved", _("Approved the monthly report"), fields={
        "document_sha256": Field(_("Document hash (SHA-256)"), HASH),
        "figures": Field(_("Figures"), "figures"),
        "narrative_sha256": Field(_("Explanation hash (SHA-256)"), HASH),
        "prepared_by": Field(_("Written by"), "person"),
        "approved_by": Field(_("Reviewed by"), "person"),
        "sent_to": Field(_("Sent to"), "agency")})
    action("report.corrected", _("Started a correction of the monthly report"), fields={
        "supersedes_sha256": Field(_("Hash of the report corrected"), HASH)})
    action("report.delivered", _("Delivered the monthly report"))
    action("report.delivery_failed", _("Could not deliver the monthly report"))
    action("report.letter_sent", _("Posted the monthly report"))
    action("report.retried", _("Tried again to deliver the monthly report"))
    action("report.late", _("Noted that the monthly report is late"), fields={
        "state": Field(_("State of the report"), "report_state")})
    words.register_object("reporting.monthlyreport", _("Monthly report"),
                          describe=describe_reports)
    words.register_finder(find_reports)


def figures_summary(figures) -> str:
    """The few figures a reader looks for first; the whole set is in the raw record."""
    if not isinstance(figures, dict):
        return str(figures)
    parts = [
        (gettext("Complaints received"), figures.get("received", {}).get("total")),
        (gettext("Corruption-related"), figures.get("corruption", {}).get("count")),
        (gettext("Referred"), figures.get("corruption", {}).get("referred")),
        (gettext("Box openings"), figures.get("box_openings", {}).get("count")),
    ]
    return " · ".join(f"{label}: {formats.number_format(value)}"
                      for label, value in parts if isinstance(value, int))


def month_name(period: date, version: int) -> str:
    name = formats.date_format(period, "YEAR_MONTH_FORMAT")
    if version > 1:
        name = gettext("%(month)s, correction %(version)s") % {"month": name,
                                                              "version": version - 1}
    return name


def describe_reports(ids, reader: Reader) -> dict[str, Named]:
    reports = list(MonthlyReport.objects.filter(pk__in=[pk for pk in ids if pk.isdigit()])
                   .select_related("unit").only("pk", "period", "version", "unit"))
    readable = {unit.pk for unit in {report.unit for report in reports}
                if may_read(reader.user, unit)}
    named = {}
    for report in reports:
        url = ""
        if report.unit_id in readable and report.unit.is_active:
            url = reverse("reporting:month", kwargs={"unit_code": report.unit.code,
                                                     "month": report.month})
        named[str(report.pk)] = Named(month_name(report.period, report.version), url)
    return named


def find_reports(text: str) -> dict[str, list]:
    """A report by its number, or every report on a month (2026-10 or 2026.10)."""
    found = MonthlyReport.objects.filter(reference__iexact=text)
    if MONTH.match(text):
        try:
            found = found | MonthlyReport.objects.filter(period=parse_month(
                text.replace(".", "-")))
        except ValueError:
            pass
    return {"reporting.monthlyreport": found.values_list("pk", flat=True)}
