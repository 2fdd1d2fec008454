from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """The public face of a unit: the poster with its QR codes (and, to come, the hall
    screen, the open figures and "you said, we did")."""

    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self):
        from org.models import Role
        from org.navigation import register

        register("outreach:poster", _("Poster"), {Role.CLERK, Role.OFFICER, Role.HEAD},
                 order=85, in_bar=False)
        register("outreach:screen_settings", _("Hall screen"), {Role.HEAD}, order=86,
                 in_bar=False)

        from intake.public.notes import register_reporter_note
        from org.demo import register_demo
        from outreach import audit_terms
        from outreach.demo import seed_publication
        from outreach.publications import reporter_note

        register("outreach:said_list", _("You said, we did"), {Role.OFFICER, Role.HEAD},
                 order=87, in_bar=False)
        # The reporter sees on their own case page that their summary was published.
        register_reporter_note(reporter_note)
        register_demo(seed_publication, order=65)

        audit_terms.register()  # the words for outreach's audit events (audit.vocabulary)
