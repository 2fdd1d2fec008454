"""The open figures: /open/ (the tree of units, each unit's last twelve months) and
/open/<unit>/ (a year of a unit's months), and the same figures as CSV and JSON. Public,
no sign-in, no JavaScript. Each answer's bytes are cached per unit, year and language, so
that a hit costs one query, the unit's lookup by its code."""

import csv
import io
import json

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from org.models import Unit
from outreach.figures import pages
from outreach.figures.data import CACHE_SECONDS
from outreach.publications import published

TYPES = {"html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8",
         "json": "application/json"}


def _unit(unit_code: str) -> Unit:
    unit = Unit.objects.active().filter(code=unit_code).first()
    if unit is None:
        raise Http404
    return unit


def _year(request) -> int:
    text = request.GET.get("year", "")
    this_year = timezone.localdate().year
    if not text:
        return this_year
    if not text.isdigit() or not 2000 <= int(text) <= this_year:
        raise Http404
    return int(text)


def _cached(key: str, kind: str, make) -> HttpResponse:
    body = cache.get(key)
    if body is None:
        body = make()
        cache.set(key, body, CACHE_SECONDS)
    response = HttpResponse(body, content_type=TYPES[kind])
    if kind != "html":
        response["Content-Disposition"] = f'attachment; filename="{key.split(":", 2)[2]}"'
    return response


@require_GET
def index(request):
    today = timezone.localdate()
    key = f"outreach:open:index:{today:%Y-%m}:{translation.get_language()}"
    return _cached(key, "html", lambda: render_to_string("outreach/open_index.html", {
        "trees": [pages.last_twelve(root, today) for root in
                  Unit.objects.active().filter(parent__isnull=True).order_by("code")]}))


@require_GET
def unit_page(request, unit_code: str):
    unit, year = _unit(unit_code), _year(request)
    key = f"outreach:open:{unit.code}-{year}.html:{translation.get_language()}"
    return _cached(key, "html", lambda: render_to_string(
        "outreach/open_unit.html", {**pages.unit_year(unit, year),
                                    "said": list(published(unit, limit=10))}))



@require_GET
def unit_csv(request, unit_code: str):
    unit, year = _unit(unit_code), _year(request)

    def make():
        out = io.StringIO()
        writer = csv.writer(out)
        for row in pages.csv_rows(unit, year):
            writer.writerow(row)
        return out.getvalue()
    return _cached(f"outreach:open:{unit.code}-{year}.csv", "csv", make)


@require_GET
def unit_json(request, unit_code: str):
    unit, year = _unit(unit_code), _year(request)
    return _cached(f"outreach:open:{unit.code}-{year}.json", "json", lambda: json.dumps(
        pages.json_figures(unit, year), ensure_ascii=False, indent=1))
