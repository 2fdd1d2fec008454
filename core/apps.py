from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
