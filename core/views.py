"""The pages that belong to no app: the health check, the site's icon and the refused-form
page."""

from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_q.models import OrmQ

from core.models import Heartbeat

WORKER_STALE_AFTER = timedelta(minutes=3)


@require_GET
def healthz(request):
    """200 while the database answers, with the worker's state; 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = Heartbeat.objects.filter(name="worker").first()
        waiting = OrmQ.objects.count()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    if beat is None:
        worker = {"status": "unknown", "last_seen": None}
    else:
        fresh = timezone.now() - beat.seen_at < WORKER_STALE_AFTER
        worker = {"status": "ok" if fresh else "stale", "last_seen": beat.seen_at.isoformat()}
    return JsonResponse(
        {"status": "ok", "database": "ok", "worker": worker, "queue": {"waiting": waiting}}
    )


@require_GET
def favicon(request):
    """Browsers and other clients ask for /favicon.ico whatever the page says; they get the
    icon the pages name (static/favicon.svg), not a 404 in the log."""
    response = redirect(static("favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def csrf_failure(request, reason=""):
    """A translated page instead of Django's English one; the reason stays out of sight."""
    return render(request, "403_csrf.html", status=403)
