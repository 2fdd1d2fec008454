"""The site's URLs plus /bench/floor/, the floor of bench/intake_submit.py: a POST that goes
through the same server and middleware and inserts one row in one transaction."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns

FLOOR_TABLE = "bench_floor"


def create_floor_table() -> None:
    """Called by the benchmark after migrate, in its own database only."""
    key = ("id INTEGER PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite"
           else "id BIGSERIAL PRIMARY KEY")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {FLOOR_TABLE} ({key}, created_at TEXT NOT NULL)")


@csrf_exempt
@require_POST
def floor(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FLOOR_TABLE} (created_at) VALUES (%s)",
                       [timezone.now().isoformat()])
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), *site_urlpatterns]
