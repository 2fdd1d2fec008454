from django.utils import timezone

from core.models import Heartbeat


def heartbeat():
    """Run by the worker each minute: /healthz reads it to tell whether the worker is alive."""
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": timezone.now()})
