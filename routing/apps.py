from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"

    def ready(self):
        from django.db.models.signals import post_migrate

        from routing.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
