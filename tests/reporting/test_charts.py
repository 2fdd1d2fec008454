"""The charts: SVG drawn on the server from figures.trend, with the same numbers as a table,
no script, no inline style, and every label escaped."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from intake.models import Channel
from reporting import charts
from reporting.figures import trend
from routing.models import Category
from tests.reporting.pages_reporting import NOW, UB, log_complaint
from tests.routing.helpers import triage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_checkpoint_folder(settings, tmp_path):
    """Drafting a past month signs a checkpoint, whose file lands in DATA_DIR; a folder of
    the test's own keeps it from other tests that verify the chain."""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture(autouse=True)
def _in_november_2026_in_mongolian():
    with time_machine.travel(NOW, tick=True), translation.override("mn"):
        yield


def _received(units, personas):
    """DG: two walk-ins and a letter in October (one of them bribery), a walk-in in
    August, and one in November 2025, the first month the charts show; DU: one in October,
    which DG's charts leave out."""
    clerk, dg = personas["clerk"], units["DG"]
    bribery = log_complaint(dg, clerk, received=datetime(2026, 10, 6, 10, tzinfo=UB))
    triage(bribery, personas["officer"])
    log_complaint(dg, clerk, received=datetime(2026, 10, 20, 10, tzinfo=UB))
    log_complaint(dg, clerk, received=datetime(2026, 10, 21, 10, tzinfo=UB),
                  channel=Channel.LETTER)
    log_complaint(dg, clerk, received=datetime(2026, 8, 3, 10, tzinfo=UB))
    log_complaint(dg, clerk, received=datetime(2025, 11, 1, 9, tzinfo=UB))
    log_complaint(units["DU"], clerk, received=datetime(2026, 10, 7, 10, tzinfo=UB))


def _column(chart, month_index) -> dict:
    label, values, total = chart.rows[month_index]
    return {series.key: value for series, value in zip(chart.series, values, strict=True)} | {
        "total": total}


def test_twelve_months_end_with_the_given_month_across_the_new_year():
    months = charts.months_ending(date(2026, 2, 17))
    assert len(months) == 12
    assert months[0] == date(2025, 3, 1) and months[-1] == date(2026, 2, 1)
    assert all(month.day == 1 for month in months)


@pytest.mark.parametrize(("highest", "top", "step"), [
    (0, 1, 1), (1, 1, 1), (4, 4, 1), (5, 5, 1), (6, 6, 2), (11, 15, 5), (37, 40, 10),
    (120, 150, 50),
])
def test_the_value_axis_has_round_steps(highest, top, step):
    assert charts._nice_top(highest) == (top, step)


def test_the_charts_show_the_numbers_of_the_trend(units, personas):
    _received(units, personas)
    by_channel, by_category, corruption = charts.charts_for([units["DG"].pk],
                                                            date(2026, 10, 1))
    months = charts.months_ending(date(2026, 10, 1))
    data = trend([units["DG"].pk], months)
    assert by_channel.months == tuple(months)
    for chart, key in ((by_channel, "by_channel"), (by_category, "by_category")):
        for series in chart.series:
            assert series.values == tuple(data[key][series.key].get(f"{m:%Y-%m}", 0)
                                          for m in months)
    assert _column(by_channel, 11) == {"walk_in": 2, "letter": 1, "total": 3}
    assert _column(by_channel, 9) == {"walk_in": 1, "letter": 0, "total": 1}
    assert _column(by_channel, 0) == {"walk_in": 1, "letter": 0, "total": 1}
    assert by_channel.total == 5  # DU's complaint is not DG's
    assert _column(by_category, 11) == {"bribery": 1, "total": 1}
    assert corruption.series[0].values == (0,) * 11 + (1,)
    # The picture carries the same numbers: one bar segment per nonzero value.
    segments = re.findall(r"<rect [^>]*><title>([^<]*)</title></rect>", str(by_channel.svg))
    assert len(segments) == 4
    assert any(text.endswith(": 2") and "2026.10" in text for text in segments)


def test_each_chart_is_an_accessible_image_with_no_script_or_inline_style(units, personas):
    _received(units, personas)
    for chart in charts.charts_for([units["DG"].pk], date(2026, 10, 1)):
        svg = str(chart.svg)
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert 'role="img"' in svg
        assert f'aria-labelledby="{chart.slug}-title {chart.slug}-desc"' in svg
        assert f'<title id="{chart.slug}-title">' in svg and f'<desc id="{chart.slug}-desc">' in svg
        assert "<script" not in svg and "style=" not in svg and "<style" not in svg
        assert "href" not in svg  # nothing loaded from anywhere
        # A legend entry for each series, with its total.
        assert svg.count('class="legend-item"') == len(chart.series)


def test_labels_are_escaped(units, personas):
    Category.objects.create(code="odd", name_mn='<script>alert("x")</script> & <b>',
                            name_en="<i>odd</i>")
    complaint = log_complaint(units["DG"], personas["clerk"],
                              received=datetime(2026, 10, 6, 10, tzinfo=UB))
    triage(complaint, personas["officer"], codes=("odd",))
    chart = charts.charts_for([units["DG"].pk], date(2026, 10, 1))[1]
    svg = str(chart.svg)
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in svg
    series = charts.Series("x", "A < B & C", (1,), "#000")
    drawn = str(charts.render_svg("t", 'T"itle<', "D>esc", [date(2026, 10, 1)], (series,),
                                  value_axis="<v>"))
    assert "A &lt; B &amp; C" in drawn and "T&quot;itle&lt;" in drawn and "D&gt;esc" in drawn
    assert "&lt;v&gt;" in drawn


def test_a_year_with_nothing_received_still_draws_its_axes(units):
    by_channel, by_category, corruption = charts.charts_for([units["DG"].pk],
                                                            date(2026, 10, 1))
    assert by_channel.series == () and by_channel.total == 0
    assert len(by_channel.rows) == 12
    assert 'role="img"' in str(by_channel.svg)
    assert corruption.series[0].values == (0,) * 12


def _charts_section(html: str) -> str:
    start = html.index('<section class="charts"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("where", ["index", "month"])
def test_the_pages_show_the_charts_with_their_numbers_as_a_table(
    client, units, personas, signed_in, where
):
    _received(units, personas)
    signed_in(personas["officer"])
    kwargs = {"unit_code": "DG"} | ({"month": "2026-10"} if where == "month" else {})
    html = client.get(reverse(f"reporting:{where}", kwargs=kwargs)).content.decode()
    section = _charts_section(html)
    assert section.count("<svg") == 3 and section.count("<table") == 3
    assert "<script" not in section and "style=" not in section
    # The table of the first chart: October's row says 2 walk-ins, 1 letter, 3 in all.
    first = section[section.index("<table"):section.index("</table>")]
    october = re.search(r'<th scope="row">2026\.10</th>(.*?)</tr>', first, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", october) == ["2", "1", "3"]


def test_the_consolidation_charts_count_every_unit_below(client, units, personas, signed_in):
    _received(units, personas)
    signed_in(personas["national_head"])
    html = client.get(reverse("reporting:consolidated", args=["UBEG", "2026-10"])
                      ).content.decode()
    section = _charts_section(html)
    first = section[section.index("<table"):section.index("</table>")]
    october = re.search(r'<th scope="row">2026\.10</th>(.*?)</tr>', first, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", october) == ["3", "1", "4"]  # DU's walk-in too
