"""The open figures' pages, CSV and JSON: approved reports only, small counts hidden with
their complements, cached so that a hit costs only the unit's lookup."""

import csv
import io
from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone

from outreach.figures.data import PARTS
from outreach.figures.suppression import table_build
from reporting.models import MonthlyReport, State
from tests.demo_model import SEEDS_THE_DEMO
from tests.outreach.test_suppression import check
from vault.models import DataKey

YEAR = timezone.localdate().year - 1


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def figures(*, phone=0, web=0, letter=0, suggestion=0, referred=0, due=0, met=0):
    total = phone + web + letter
    channels = {name: n for name, n in (("phone", phone), ("web", web), ("letter", letter))
                if n}
    kinds = {name: n for name, n in (("complaint", total - suggestion),
                                     ("suggestion", suggestion)) if n}
    return {"received": {"total": total, "by_channel": channels, "by_kind": kinds},
            "by_category": {}, "corruption": {"referred": referred},
            "clocks": {"resolve": {"due": due, "met": met, "missed": due - met}}}


def report(unit, month, numbers, *, state=State.APPROVED, version=1, approved_day=3):
    return MonthlyReport.objects.create(
        unit=unit, period=date(YEAR, month, 1), version=version, state=state,
        reference=f"{unit.code}-{YEAR}-{month:02d}-v{version}",
        data_key=DataKey.objects.create_fresh(), figures=numbers,
        approved_at=timezone.make_aware(timezone.datetime(
            YEAR + (month == 12), month % 12 + 1, approved_day, 12)))


@pytest.fixture
def published(units):
    dg, du = units["DG"], units["DU"]
    report(dg, 1, figures(phone=3, web=40, letter=9, suggestion=10, due=20, met=20))
    report(dg, 2, figures(phone=1, web=3))  # all small
    report(dg, 2, figures(phone=12, web=30, letter=7), version=2)  # the correction wins
    report(dg, 3, figures(web=777), state=State.DRAFT)  # a draft: never shown
    report(dg, 4, figures(web=666), state=State.PREPARED)
    report(du, 1, figures(phone=20, web=25, letter=6, suggestion=5, due=10, met=8),
           approved_day=28)
    return units


def rows_of(client, code="DG"):
    answer = client.get(f"/open/{code}/figures.csv?year={YEAR}")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.content.decode())))


def test_small_counts_are_hidden_with_a_complement_in_the_page_csv_and_json(published,
                                                                             client):
    rows = {row["month"]: row for row in rows_of(client)}
    assert set(rows) == {f"{YEAR}-01", f"{YEAR}-02", str(YEAR)}
    january = rows[f"{YEAR}-01"]
    assert january["channel:phone"] == "×" and january["channel:web"] != "×"
    # Not alone: from the month's total and the other channels the 3 would come back.
    assert [january[c] for c in ("received", "channel:letter")].count("×") >= 1
    assert rows[f"{YEAR}-02"]["channel:web"] == "30"  # version 2, not the draft 1
    data = client.get(f"/open/DG/figures.json?year={YEAR}").json()
    assert data["schema"] == 1 and data["unit"] == "DG"
    assert data["months"][0]["channel:phone"] is None
    assert data["months"][0]["answered_on_time_percent"] == 100
    page = client.get(f"/open/DG/?year={YEAR}").content.decode()
    assert "<svg" in page and "<script" not in page and ">×</td>" in page
    # A percentage that would point at a small count is not given.
    du_january = {row["month"]: row for row in rows_of(client, "DU")}[f"{YEAR}-01"]
    assert du_january["answered_on_time_percent"] == ""
    # Approved on the 3rd of the next month: on time; on the 28th: late.
    assert january["approved_on_time"] == "yes" and du_january["approved_on_time"] == "no"


def test_drafts_and_reports_awaiting_review_are_never_shown(published, client):
    text = client.get(f"/open/DG/figures.csv?year={YEAR}").content.decode()
    page = client.get(f"/open/DG/?year={YEAR}").content.decode()
    assert "777" not in text + page and "666" not in text + page
    assert f"{YEAR}-03" not in text


def test_the_index_lists_the_tree_and_its_total(published, client, settings):
    page = client.get("/en/open/").content.decode()
    assert "/en/open/DG/" in page and "All units" in page


def test_a_hit_costs_only_the_units_lookup(published, client, django_assert_num_queries):
    for path in (f"/open/DG/?year={YEAR}", f"/open/DG/figures.csv?year={YEAR}",
                 f"/open/DG/figures.json?year={YEAR}"):
        first = client.get(path)
        with django_assert_num_queries(1):
            again = client.get(path)
        assert again.content == first.content
    client.get("/open/")
    with django_assert_num_queries(0):
        client.get("/open/")


def test_a_wrong_unit_or_year_is_not_found(units, client):
    assert client.get("/open/NOPE/").status_code == 404
    assert client.get("/open/DG/?year=abc").status_code == 404
    assert client.get("/open/DG/figures.json?year=3000").status_code == 404
    assert client.get("/open/DG/").status_code == 200
    assert client.post("/open/DG/").status_code in (403, 405)


def counts_of(numbers: dict) -> dict:
    received = numbers["received"]
    return {"received": received["total"], "referred": numbers["corruption"]["referred"],
            **{f"channel:{c}": n for c, n in received["by_channel"].items()},
            **{f"kind:{k}": n for k, n in received["by_kind"].items()}}


def test_what_is_published_is_what_the_solver_cannot_undo(published, client):
    """The hidden cells of the JSON are the rule's, and the solver recovers none of them
    from the whole tree's table (DG's correction, not its first version; no draft)."""
    reports = MonthlyReport.objects.filter(state=State.APPROVED, version__gte=1).order_by(
        "unit__code", "period", "version")
    counts: dict = {}
    for report in reports:
        counts.setdefault(report.unit.code, {})[f"{report.period:%m}"] = counts_of(
            report.figures)
    table = table_build(counts=counts, parts=PARTS)
    hidden = check(table)
    for code in ("DG", "DU"):
        data = client.get(f"/open/{code}/figures.json?year={YEAR}").json()
        published_hidden = {(code, row["month"][-2:], column) for row in data["months"]
                            for column in data["columns"] if row[column] is None}
        assert published_hidden == {key for key in hidden if key[0] == code
                                    and key[1] != "year" and key[2] in data["columns"]}


@pytest.mark.django_db
@SEEDS_THE_DEMO
def test_the_demo_once_its_month_is_approved_gives_nothing_away(settings, tmp_path, client):
    """make run's walk-through: the clerk drafts and prepares last month, the head approves
    it; /open/DG/ then shows it, and no count it hides can be worked out."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from org.models import Unit
    from reporting.services import last_month, report_approve, report_draft, report_prepare

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    people = {user.username: user for user in get_user_model().objects.all()}
    dg, period = Unit.objects.get(code="DG"), last_month()
    drafted, _created = report_draft(unit=dg, period=period, by=people["clerk"])
    prepared = report_prepare(report=drafted, by=people["clerk"], narrative="")
    report_approve(report=prepared, by=people["head"])
    cache.clear()
    data = client.get(f"/open/DG/figures.json?year={period.year}").json()
    assert [row["month"] for row in data["months"]] == [f"{period:%Y-%m}"]
    counts: dict = {}
    for report in MonthlyReport.objects.filter(state=State.APPROVED, period__year=period.year):
        counts.setdefault(report.unit.code, {})[f"{report.period:%m}"] = counts_of(
            report.figures)
    hidden = check(table_build(counts=counts, parts=PARTS))
    shown = {(row["month"][-2:], column) for row in data["months"]
             for column in data["columns"] if row[column] is None}
    assert shown, "the demo's month has small counts, which must be hidden"
    assert shown == {(key[1], key[2]) for key in hidden
                     if key[0] == "DG" and key[1] != "year" and key[2] in data["columns"]}
