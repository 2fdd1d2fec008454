from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from org.demo import register_demo
        from org.models import Role
        from org.navigation import register
        from outbox import subjects
        from plans import audit_terms, drafting
        from plans.deliveries import SUBJECT, letters_to_post
        from plans.demo import seed_plan
        from routing.letters import waiting

        # On the unit's home page, not in the bar: a few times a year, not every day.
        register("plans:index", _("Anti-corruption plan"),
                 {Role.CLERK, Role.OFFICER, Role.HEAD, Role.AUDITOR}, order=52, in_bar=False)
        register_demo(seed_plan, order=70)
        drafting.register_builtin()
        # Approved reports travel through the outbox, which calls back here.
        subjects.register(SUBJECT)
        # One waiting for its printed letter is listed with the referrals' and the reports'.
        waiting.register(letters_to_post)
        audit_terms.register()  # the words for the plan's audit events (audit.vocabulary)
