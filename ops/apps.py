from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Shugel: backups and their restore, the status page, structured logs."""

    name = "ops"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from org.models import Role
        from org.navigation import register

        register("ops:status", _("System status"), {Role.ADMIN}, order=95)

        from ops import audit_terms

        audit_terms.register()  # the words for ops' audit events (audit.vocabulary)
