from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"

    def ready(self):
        from django.db.models.signals import post_migrate

        from org.demo import register_demo
        from outbox import witness
        from outbox.demo import seed_agencies
        from outbox.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
        register_demo(seed_agencies, order=10)
        witness.connect()  # the agency keeps copies of the audit trail's checkpoints
