from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.utils.translation import gettext_lazy as _

        from org.demo import register_demo
        from org.models import Role
        from org.navigation import register
        from outbox import subjects
        from reporting.deliveries import SUBJECT, letters_to_post
        from reporting.demo import seed_last_month
        from reporting.schedules import ensure_schedules
        from routing.letters import waiting

        # Approved reports travel through the outbox, which calls back here.
        subjects.register(SUBJECT)
        # An approved report waiting for its printed letter is listed with the referrals'.
        waiting.register(letters_to_post)
        register("reporting:index", _("Monthly reports"),
                 {Role.CLERK, Role.OFFICER, Role.HEAD, Role.AUDITOR}, order=48)
        register_demo(seed_last_month, order=60)
        post_migrate.connect(ensure_schedules, sender=self)

        from reporting import audit_terms

        audit_terms.register()  # the words for reporting's audit events (audit.vocabulary)
