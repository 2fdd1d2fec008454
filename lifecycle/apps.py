from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    """A case's life after intake and routing: the legal clocks and their escalations,
    retention and the legal hold. Above routing in the app order, so it shows itself on
    the case's pages through the hooks of the apps below."""

    name = "lifecycle"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.utils.translation import gettext_lazy as _

        from intake.panels import register_case_panel
        from lifecycle.panels import case_clocks, retention_panel
        from lifecycle.schedules import ensure_schedules
        from routing.triage_notes import register_triage_note

        post_migrate.connect(ensure_schedules, sender=self)
        # Under the triage decision in routing's panel (order 10), where they always were.
        register_triage_note(case_clocks, order=10)
        # Routing's triage and referrals are at 10; retention comes last on the page.
        # Once a case is closed, how long it is kept and its legal hold are what is left.
        register_case_panel(retention_panel, order=90, primary=_closed,
                            title=_("Retention and legal hold"))

        from lifecycle import audit_terms

        audit_terms.register()  # the words for lifecycle's audit events (audit.vocabulary)


def _closed(request, complaint) -> bool:
    from intake.models import Status

    return complaint.status == Status.CLOSED
