"""The open figures without JavaScript, on a phone and a desk: the pages read, nothing
scrolls sideways, the tables and the trend are drawn by the server."""

import pytest

from tests.outreach.test_open_figures import YEAR, figures, report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("path", ["/open/", f"/open/DG/?year={YEAR}", f"/en/open/DG/?year={YEAR}"])
def test_the_open_pages_work_without_javascript(browser, live_server, units, path):
    for month in range(1, 13):
        report(units["DG"], month, figures(phone=month, web=7, letter=3, suggestion=2))
    context = browser.new_context(locale="mn-MN", java_script_enabled=False)
    page = context.new_page()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        answer = page.goto(live_server.url + path)
        assert answer.status == 200
        assert page.locator("h1").count() == 1 and page.locator("table").count() >= 1
        scroll, inner = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{path} scrolls sideways at {width} px"
    context.close()
