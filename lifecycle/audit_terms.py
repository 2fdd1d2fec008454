"""What lifecycle's audit events mean in words (audit.vocabulary), registered when lifecycle
loads: the clocks' reminders and escalations, the legal hold and the shredding of a case,
with the steps of a clock named by the case they belong to."""

from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.vocabulary import Field, Named, Reader
from intake.audit_terms import case_links
from intake.models import Complaint
from lifecycle.clocks import APPROACHING, OVERDUE, PARENT
from lifecycle.models import Escalation
from routing.models import Category

RULES = {
    "suggestion": _("the period for suggestions"),
    "complaint": _("the period for complaints"),
    "corruption": _("the period for corruption-related complaints"),
    "referred": _("the period for referred complaints"),
}


def register() -> None:
    words.register_choices("clock", Escalation.Clock.choices)
    words.register_choices("clock_step", {
        APPROACHING: _("Reminder before the due day"),
        OVERDUE: _("Overdue: the unit's head told"),
        PARENT: _("Overdue: the parent unit's head told"),
    })
    words.register_kind("retention_rule", resolve=retention_rules)
    words.register_group("clock", _("Deadlines"))
    action = words.register_action
    clock_fields = {
        "clock": Field(_("Deadline"), "clock"), "step": Field(_("Step"), "clock_step"),
        "due": Field(_("Due on"), "date"), "to_unit": Field(_("Told"), "unit"),
        "case_escalated": Field(_("Case given to the parent unit"), "bool"),
    }
    action("clock.reminded", _("Reminded that a deadline is near"), fields=clock_fields)
    action("clock.escalated", _("Escalated a missed deadline"), fields=clock_fields)
    action("complaint.legal_hold", _("Placed the case on legal hold"))
    action("complaint.legal_hold_released", _("Released the case's legal hold"), fields={
        "held_since": Field(_("On hold since"), "moment")})
    action("complaint.shredded", _("Destroyed the case's content at the end of its "
                                   "retention period"), fields={
        "retention_years": Field(_("Kept for (years)"), "count"),
        "rule": Field(_("Period set by"), "retention_rule"),
        "closed_on": Field(_("Closed on"), "date"),
        "files_deleted": Field(_("Files deleted"), "count"),
    })
    words.register_object(Escalation.AUDIT_TYPE, _("Deadline"), describe=describe_escalations)
    words.register_finder(find_escalations)


def retention_rules(rules: set) -> dict[str, str]:
    """A rule as a sentence: one of settings.RETENTION_YEARS, or a category's own period."""
    codes = {rule.partition(":")[2] for rule in rules if str(rule).startswith("category:")}
    names = {category.code: category.name for category in Category.objects.filter(code__in=codes)}
    found = {rule: str(RULES[rule]) for rule in rules if rule in RULES}
    for code in codes:
        found[f"category:{code}"] = str(_("the period of the category “%(name)s”")) % {
            "name": names.get(code, code)}
    return found


def describe_escalations(ids, reader: Reader) -> dict[str, Named]:
    rows = list(Escalation.objects.filter(pk__in=[pk for pk in ids if pk.isdigit()])
                .values_list("pk", "complaint_id", "complaint__reference"))
    links = case_links(reader, {complaint for _pk, complaint, _ref in rows})
    return {str(pk): Named(reference, links.get(complaint, ""))
            for pk, complaint, reference in rows}


def find_escalations(text: str) -> dict[str, list]:
    complaint = Complaint.objects.filter(reference__iexact=text).values_list("pk", flat=True)
    return {Escalation.AUDIT_TYPE: Escalation.objects.filter(complaint__in=complaint)
            .values_list("pk", flat=True)}
