"""The results chart: an SVG drawn on the server, every text in it escaped."""

from django.utils.safestring import SafeData

from surveys.charts import render_svg
from surveys.results import QuestionResult, share_of

HOSTILE = '<script>alert("x")</script>&<b onmouseover=1>'


def test_the_chart_draws_each_share_with_its_margin_and_escapes_every_text():
    question = QuestionResult("q", HOSTILE, [share_of(HOSTILE, 296, 400),
                                             share_of("ok", 104, 400)])
    svg = render_svg(f"{HOSTILE}-slug", question, HOSTILE)
    assert isinstance(svg, SafeData)
    assert "<script" not in svg and "<b " not in svg
    assert svg.count("&lt;script&gt;") >= 4
    assert svg.count('<g class="share">') == 2
    assert "74.0 % ±4.3" in svg or "74,0 % ±4,3" in svg
