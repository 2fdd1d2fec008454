"""Referrals from earlier periods that are still open are shown a page at a time: at
national scale they are thousands, and one page listing them all would never end."""

from datetime import date

from django.template.loader import render_to_string
from django.test import RequestFactory

from reporting.display import EARLIER_PER_PAGE, readable
from reporting.figures import month_period, period_figures


def _rows(count: int) -> list[dict]:
    return [{"reference": f"ATG-2026-{n:05d}", "complaint": f"DG-2026-{n:05d}",
             "agency": "atg", "state": "sent", "prepared_on": "2026-01-15",
             "acknowledged_on": None, "agency_reference": ""} for n in range(1, count + 1)]


def _page(units, count: int, number: str | None, hidden=frozenset()) -> str:
    figures = period_figures([units["DG"].pk], month_period(date(2026, 11, 1)),
                             with_checkpoint=False)
    figures["earlier_referrals"] = _rows(count)
    request = RequestFactory().get("/", {"earlier": number} if number else {})
    shown = readable(figures, hidden, earlier_page=number)
    return render_to_string("reporting/_figures.html", {"figures": shown}, request=request)


def test_only_one_page_of_earlier_referrals_is_listed(units):
    html = _page(units, 2 * EARLIER_PER_PAGE + 7, "2")
    listed = [n for n in range(1, 2 * EARLIER_PER_PAGE + 8) if f"ATG-2026-{n:05d}" in html]
    assert listed == list(range(EARLIER_PER_PAGE + 1, 2 * EARLIER_PER_PAGE + 1))
    assert "?earlier=1#earlier" in html and "?earlier=3#earlier" in html
    assert "ATG-2026-00001" not in html and "ATG-2026-00107" not in html


def test_a_page_number_out_of_range_or_garbage_shows_a_real_page(units):
    last = _page(units, EARLIER_PER_PAGE + 3, "999")
    assert "ATG-2026-00053" in last and "ATG-2026-00001" not in last
    first = _page(units, EARLIER_PER_PAGE + 3, "<script>")
    assert "ATG-2026-00001" in first and "<script>" not in first


def test_a_short_list_has_no_pager_and_a_recused_row_stays_hidden(units):
    html = _page(units, 3, None, hidden=frozenset({"DG-2026-00002"}))
    assert "ATG-2026-00001" in html and "ATG-2026-00003" in html
    assert "ATG-2026-00002" not in html and "earlier=" not in html
