"""A citizen answers the satisfaction survey in a real browser, with and without
JavaScript: one short page, a choice per question, the thank-you page, the answer counted
once and nothing about the browser kept."""

import pytest

from surveys.models import Round
from tests.browser.test_anonymous_report import mn
from tests.surveys.helpers import round_open_today

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_citizen_answers_the_survey(browser, live_server, units, javascript):
    survey = round_open_today(units["DG"])
    context = browser.new_context(locale="mn-MN", java_script_enabled=javascript,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/survey/DG/")
    assert page.locator("html").get_attribute("lang") == "mn"
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, "the survey scrolls sideways on a phone"

    # Sent with a question unanswered: told which, and the choice made is still ticked.
    page.get_by_label("Хүссэн үйлчилгээгээ авч чадсан").check()
    page.get_by_role("button", name=mn("Send my answers")).click()
    assert page.locator(".question.invalid").count() == 1
    assert page.get_by_label("Хүссэн үйлчилгээгээ авч чадсан").is_checked()
    assert Round.objects.get(pk=survey.pk).respondents() == 0

    page.get_by_label("Вэб сайт").check()
    page.get_by_role("button", name=mn("Send my answers")).click()
    page.wait_for_url("**/survey/DG/thanks/")
    assert Round.objects.get(pk=survey.pk).respondents() == 1
    assert not errors
    context.close()
