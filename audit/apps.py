from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default = True
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from django.db.models.signals import post_migrate

        from audit.schedules import after_migrate

        post_migrate.connect(after_migrate, sender=self)
