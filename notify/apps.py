from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "notify"

    def ready(self):
        from django.db.models.signals import post_migrate

        from notify.schedules import ensure_schedules

        # The notification centre belongs to no unit, so it is not in org.navigation (which
        # lists a unit's pages); base.html links to it for every signed-in person.
        post_migrate.connect(ensure_schedules, sender=self)
