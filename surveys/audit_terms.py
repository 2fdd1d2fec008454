"""What the surveys' audit events mean in words (audit.vocabulary), registered when surveys
loads."""

from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.vocabulary import Field


def register() -> None:
    words.register_group("survey", _("Satisfaction surveys"))
    words.register_object("surveys.round", _("Survey round"))
    words.register_fields({
        "survey_round": Field(_("Survey round")),
        "first_day": Field(_("First day"), "date"),
        "last_day": Field(_("Last day"), "date"),
        "paper_forms": Field(_("Paper forms"), "count"),
        "answers_counted": Field(_("Answers counted"), "count"),
    })
    words.register_action("survey.round_opened", _("Opened a survey round"))
    words.register_action("survey.tallied", _("Entered the tallies of paper survey forms"))
