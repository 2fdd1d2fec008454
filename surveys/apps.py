from django.apps import AppConfig

# The rate-limit scope of the web survey (intake.ratelimit): the report form's figures, but
# a budget of its own, so that answering a survey never uses up a citizen's reports.
SCOPE = "survey"


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from intake import ratelimit
        from org.demo import register_demo
        from org.navigation import register
        from surveys import audit_terms
        from surveys.access import READERS
        from surveys.demo import seed_surveys

        ratelimit.LIMITS.setdefault(SCOPE, ratelimit.LIMITS["report"])
        # On the unit's home page, not in the bar: a few times a year, not every day.
        register("surveys:index", _("Satisfaction surveys"), set(READERS), order=52,
                 in_bar=False)
        register_demo(seed_surveys, order=70)
        audit_terms.register()
