"""The cover letter an officer starts a referral from (шилжүүлэх албан бичиг), in Mongolian
whatever the officer's language, since it goes to a Mongolian agency.

Every name and word put into it takes its case ending from core.grammar: the agency and the
unit in the dative (Авлигатай тэмцэх газарт), the kind of report in the accusative
(гомдлыг), the categories in the genitive (хээл хахуулийн асуудалд), never a glued "-т".
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.grammar import Case, inflect
from intake.models import Channel, Complaint
from outbox.models import Agency
from routing.models import TriageDecision


def cover_letter_draft(complaint: Complaint, agency: Agency,
                       decision: TriageDecision | None) -> str:
    """The Mongolian cover letter the officer starts from. Every name and word put into it
    takes its case ending from core.grammar (газарт, гомдлыг, хээл хахуулийн), none glued."""
    with translation.override("mn"):
        categories = [_in_sentence(category.name_mn)
                      for category in (decision.categories.all() if decision else [])]
        channel = _in_sentence(complaint.get_channel_display())
        return render_to_string("routing/cover_letter.txt", {
            "agency": inflect(agency.name_mn, Case.DATIVE),
            "unit": inflect(complaint.unit.name_mn, Case.DATIVE),
            "signature": complaint.unit.name_mn, "reference": complaint.reference,
            "received": inflect(f"{timezone.localtime(complaint.received_at):%Y.%m.%d}",
                                Case.GENITIVE),
            "walk_in": complaint.channel == Channel.WALK_IN,
            "notebook": complaint.channel == Channel.NOTEBOOK,
            "channel": inflect(channel, Case.INSTRUMENTAL),
            "channel_dative": inflect(channel, Case.DATIVE),
            "kind": inflect(_in_sentence(complaint.get_kind_display()), Case.ACCUSATIVE),
            "categories": inflect(", ".join(categories), Case.GENITIVE),
        }).strip() + "\n"


def _in_sentence(name: str) -> str:
    """A label as a word inside a sentence: its first letter small, unless it opens with an
    abbreviation (АТГ)."""
    first = name.split(" ", 1)[0]
    return name if len(first) > 1 and first.isupper() else name[:1].lower() + name[1:]
