from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.utils.translation import gettext_lazy as _

        from intake.classification import register_classifier
        from intake.panels import register_case_panel, register_typed_text
        from org.demo import register_demo
        from org.models import Role
        from org.navigation import register
        from outbox import subjects
        from routing.case.queue import current_triage
        from routing.case.views import case_panel, typed_in_routing
        from routing.delivery import SUBJECT
        from routing.demo import seed_triage_model
        from routing.schedules import ensure_schedules

        register("routing:tracker", _("Referrals"), {Role.OFFICER, Role.HEAD}, order=15)
        # Outgoing letters: referrals and (through routing.letters.waiting) monthly reports
        # waiting to be posted.
        register("routing:letters", _("Outgoing letters to post"),
                 {Role.CLERK, Role.OFFICER, Role.HEAD}, order=46, in_bar=False)
        # Triage and referrals on the case's pages, without intake importing routing.
        register_case_panel(case_panel, order=10, primary=_still_open,
                            title=_("Triage and referrals"))
        # Its boxes share the read page's one form with intake's actions.
        register_typed_text(typed_in_routing)
        # Referrals travel through the outbox, which calls back here with each outcome.
        subjects.register(SUBJECT)
        # Each case's categories and corruption flag in intake's queue, the same way.
        register_classifier(current_triage)
        # Its part of the reports' counters, recounted from the rows by the nightly check.
        from intake.tallies import register_recount
        from routing.tallies import recount

        register_recount(recount)
        # The monthly retraining of the triage model, and the demo's first model (after the
        # demo's complaints and reports exist).
        post_migrate.connect(ensure_schedules, sender=self)
        register_demo(seed_triage_model, order=90)

        from routing.case.matter import matter_note
        from routing.triage_notes import register_triage_note

        # The other complaints of the case's matter and their decisions (routing.matters).
        register_triage_note(matter_note, order=5)

        from routing import audit_terms

        audit_terms.register()  # the words for routing's audit events (audit.vocabulary)

        from org import counts

        counts.register("open_referrals", _("referrals under way"), {Role.OFFICER, Role.HEAD},
                        _open_referrals, order=20, url_name="routing:tracker")


def _still_open(request, complaint) -> bool:
    """Triage and referrals are what an open case calls for; a closed case keeps them as
    its record, folded."""
    from intake.models import Status

    return complaint.status != Status.CLOSED


def _open_referrals(unit, user) -> int:
    from routing.models import OPEN_REFERRAL_STATES, Referral

    return (Referral.objects.filter(unit=unit, state__in=OPEN_REFERRAL_STATES)
            .visible_to(user).count())
