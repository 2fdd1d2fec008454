"""What the plan's audit events mean in words (audit.vocabulary), registered when plans
loads. A key other apps name alike ("kind") is given its meaning per action."""

from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.vocabulary import Field
from plans.models import ActivityKind

FILES = Field(_("Files"), "count")


def register() -> None:
    words.register_group("plan", _("Anti-corruption plan"))
    words.register_fields({
        "year": Field(_("Year"), "count"), "copied_from": Field(_("Copied from plan")),
        "goal": Field(_("Goal")), "measure": Field(_("Measure")),
        "units": Field(_("Units given the plan"), "count"),
        "attendees": Field(_("Attendees"), "count"),
        "staff": Field(_("Staff of the unit"), "count"),
        "period": Field(_("Period")), "level": Field(_("Level of implementation (%)"), "count"),
        "redraft": Field(_("Drafted again from the records"), "bool"),
    })
    action = words.register_action
    action("plan.created", _("Made the year's anti-corruption plan"))
    action("plan.edited", _("Edited the anti-corruption plan"))
    action("plan.approved", _("Approved the anti-corruption plan"))
    action("plan.revised", _("Started a new version of the anti-corruption plan"))
    action("plan.pushed", _("Gave the plan to the units below as a template"))
    # "kind" means something else in other apps' events: here it is the activity's kind.
    words.register_choices("plan_activity_kind", ActivityKind.choices)
    action("plan.activity_recorded", _("Recorded an activity under the plan"), fields={
        "kind": Field(_("Kind of activity"), "plan_activity_kind"), "files": FILES})
    action("plan.training_recorded", _("Recorded a training under the plan"))
    action("plan.evidence_read", _("Downloaded an activity's evidence file"),
           fields={"files": FILES})
    action("plan.report_drafted", _("Drafted the plan's implementation report"))
    action("plan.report_edited", _("Edited the plan's implementation report"))
    action("plan.report_prepared", _("Wrote the plan's implementation report and sent it "
                                     "for review"))
    action("plan.report_sent_back", _("Sent the plan's implementation report back"))
    action("plan.report_approved", _("Approved the plan's implementation report"), fields={
        "document_sha256": Field(_("Document hash (SHA-256)"), "hash"),
        "sent_to": Field(_("Sent to"), "agency")})
    action("plan.report_delivered", _("Delivered the plan's implementation report"))
    action("plan.report_letter_sent", _("Posted the plan's implementation report as a letter"),
           fields={"agency": Field(_("Agency"), "agency"),
                   "letter_number": Field(_("Letter number"), "text")})
    action("plan.report_delivery_failed", _("Could not deliver the plan's implementation "
                                            "report"))
    action("plan.report_corrected", _("Started a correction of the plan's implementation "
                                      "report"), fields={
        "supersedes_sha256": Field(_("Hash of the report corrected"), "hash")})
    words.register_object("plans.plan", _("Anti-corruption plan"))
    words.register_object("plans.planreport", _("Plan implementation report"))
    words.register_object("plans.activity", _("Plan activity"))
    words.register_object("plans.training", _("Training"))
