from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Shugel: backups and their restore, the status page, structured logs."""

    name = "ops"
