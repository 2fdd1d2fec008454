"""The open figures' page /open/DG/ on a cache hit against a bare view that returns the same
bytes through the same middleware (both by Django's in-process test client), and the cost of
a cache miss: reading a year of approved reports of 31 units and suppressing the tree.

A miss reads only the monthly reports' frozen figures (one row per unit and month), never
the complaints, so its cost does not grow with the number of complaints: the seeded reports
carry figures as large as 1,000,000 complaints over 30 units and 36 months give (about
900 a unit and month, in every channel and kind, six categories), with some small counts so
that suppression has work to do. Throw-away SQLite database (bench/_setup.py).

The ratio printed is hit rate / bare rate: 1 would be a cached page as cheap as sending the
bytes. Target: >= 0.5, and a miss under 2 s. Missing a target is reported, not an error.

    .venv/bin/python bench/open_pages.py [--quick]
"""

import random
import sys
import time
import types
from datetime import date, datetime

from _setup import arguments, best_rate, cleanup, django_in_tempdir

UNITS, MONTHS = 30, 36
TARGET_RATIO, TARGET_MISS_S = 0.5, 2.0


def seed(rng: random.Random) -> None:
    from django.utils import timezone

    from org.models import Unit
    from reporting.figures import ALL_CHANNELS
    from reporting.models import MonthlyReport, State
    from vault.models import DataKey

    national = Unit.objects.create(code="UBEG", kind=Unit.Kind.NATIONAL, name_mn="Төв",
                                   name_en="Centre")
    units = [national] + [Unit.objects.create(
        code="DG" if number == 0 else f"U{number:02d}", kind=Unit.Kind.DEPARTMENT,
        parent=national, name_mn=f"Хэлтэс {number}", name_en=f"Department {number}")
        for number in range(UNITS)]
    key = DataKey.objects.create_fresh()
    today = timezone.localdate()
    rows = []
    for unit in units:
        for back in range(MONTHS):
            year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
            channels = {c: rng.choice([0, 1, 3, 20, 150, 300]) for c in ALL_CHANNELS}
            total = sum(channels.values())
            suggestion = rng.randint(0, total)
            rows.append(MonthlyReport(
                unit=unit, period=date(year, month + 1, 1), state=State.APPROVED,
                reference=f"{unit.code}-T-{year}-{month + 1:02d}", data_key=key,
                approved_at=timezone.make_aware(datetime(year, month + 1, 28)),
                figures={"received": {"total": total, "by_channel": channels,
                                      "by_kind": {"complaint": total - suggestion,
                                                  "suggestion": suggestion}},
                         "by_category": {f"c{n}": rng.choice([0, 2, 40, 200])
                                         for n in range(6)},
                         "corruption": {"referred": rng.choice([0, 1, 2, 9])},
                         "clocks": {"resolve": {"due": 50, "met": 45, "missed": 5}}}))
    MonthlyReport.objects.bulk_create(rows)


def main():
    quick = arguments(__doc__).parse_args().quick
    workdir = django_in_tempdir()
    try:
        from django.conf import settings
        from django.core.cache import cache
        from django.http import HttpResponse
        from django.test import Client
        from django.urls import clear_url_caches, path

        import config.urls

        seed(random.Random(20))
        client = Client()
        page = client.get("/open/DG/")
        assert page.status_code == 200, page.status_code
        body = page.content

        def bare(request):
            return HttpResponse(body, content_type="text/html; charset=utf-8")

        module = types.ModuleType("bench_open_urls")
        module.urlpatterns = [path("bare/", bare), *config.urls.urlpatterns]
        sys.modules["bench_open_urls"] = module
        settings.ROOT_URLCONF = "bench_open_urls"
        clear_url_caches()
        assert client.get("/bare/").content == body

        count = 200 if quick else 1000
        hit = best_rate(lambda n: [client.get("/open/DG/") for _ in range(n)], count)
        floor = best_rate(lambda n: [client.get("/bare/") for _ in range(n)], count)
        misses = []
        for _ in range(2 if quick else 5):
            cache.clear()
            started = time.perf_counter()
            client.get("/open/DG/")
            misses.append(time.perf_counter() - started)
        miss = min(misses)
        ratio = hit / floor
        print(f"hit:   {hit:8.0f} requests/s  /open/DG/ from the cache")
        print(f"floor: {floor:8.0f} requests/s  a bare view with the same {len(body)} bytes")
        print(f"ratio: {ratio:8.2f}  (target >= {TARGET_RATIO})"
              f"{'' if ratio >= TARGET_RATIO else '  MISSED'}")
        print(f"miss:  {miss:8.2f} s  best of {len(misses)}: {UNITS + 1} units' approved "
              f"reports of a year read and suppressed (target < {TARGET_MISS_S} s)"
              f"{'' if miss < TARGET_MISS_S else '  MISSED'}")
    finally:
        cleanup(workdir)


if __name__ == "__main__":
    main()
