from django.apps import AppConfig


class SealedAppConfig(AppConfig):
    """Record models for the vault's tests, shaped like the complaints that will use it."""

    name = "tests.vault.sealed_app"
    label = "sealed_app"
    default_auto_field = "django.db.models.BigAutoField"
