"""What outreach's audit events mean in words (audit.vocabulary): a head changing what the
hall screen shows."""

from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from outreach.models import Slide


def register() -> None:
    words.register_choices("screen_slide", Slide.choices)
    words.register_group("screen", _("Hall screen"))
    words.register_action("screen.changed", _("Changed what the hall screen shows"), fields={
        "slides": words.Field(_("Slides"), "screen_slide"),
        "seconds": words.Field(_("Seconds per slide"), "count"),
        "campaign_characters": words.Field(_("Campaign text, characters"), "count"),
    })
    words.register_object("outreach.screensettings", _("Hall screen"))
    words.register_group("publication", _("You said, we did"))
    summary = {"complaint": words.Field(_("Case"), "text")}
    words.register_action("publication.written", _("Wrote a “you said, we did” summary"),
                          fields=summary)
    words.register_action("publication.approved", _("Published a “you said, we did” summary"),
                          fields=summary)
    words.register_action("publication.withdrawn",
                          _("Withdrew a “you said, we did” summary"), fields=summary)
    words.register_object("outreach.publication", _("“You said, we did”"))
