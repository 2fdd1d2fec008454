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

        from django.utils.translation import gettext_lazy as _

        from org.models import Role
        from org.navigation import register
        from vault.rotation import register_key_usage

        register("audit:events", _("Audit trail"), {Role.AUDITOR}, order=80)

        from audit import terms

        terms.register()  # the words every app's events are read in (audit.vocabulary)

        # Old audit and signing keys stay as long as an event or checkpoint needs them to
        # verify: `keys remove` asks these before it lets a version go.
        register_key_usage("audit", _events_signed_with)
        register_key_usage("sign", _checkpoints_signed_with)


def _events_signed_with(version: int) -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(key_version=version).count()


def _checkpoints_signed_with(version: int) -> int:
    from audit.models import Checkpoint

    return Checkpoint.objects.filter(sign_key_version=version).count()
