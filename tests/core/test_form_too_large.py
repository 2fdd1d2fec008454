"""A long paste keeps its words; a form too large to read gets a page that names the limit.

Up to DATA_UPLOAD_MAX_MEMORY_SIZE a form is read, and its field's length message comes back
with the text still in it. Beyond, core.middleware answers 413 with a translated page
instead of "request not understood", saves nothing and logs no error.
"""

import logging
import secrets
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from tests.intake.pages_channels import counts, url
from tests.intake.test_web_submission import (
    says,
    says_in_both_languages,
    send_report,
    stored,
    text_of,
)

pytestmark = pytest.mark.django_db

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
MB = 2**20
TOO_LARGE = ("The text sent is longer than this site accepts in one form (%(limit)s MB). "
             "Nothing was saved. Go back, shorten the text or attach it as a document, and "
             "send again.")


def errors_logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def test_the_limit_holds_a_three_megabyte_paste_and_stays_bounded():
    assert 3 * MB < LIMIT <= 4 * MB


@pytest.mark.parametrize("megabytes", [1, 3])
def test_a_paste_of_megabytes_comes_back_in_the_report_form_with_the_length_message(
    client, units, megabytes, caplog
):
    paste = "ж" * (megabytes * MB // 2)  # two bytes a letter in UTF-8
    response = says_in_both_languages(
        lambda prefix: send_report(client, prefix, body=paste),
        "Keep it under %(limit_value)d characters; attach a document for a longer account.",
        limit_value=10_000,
    )
    assert response.status_code == 400
    assert response.context["form"]["body"].value() == paste
    assert errors_logged(caplog) == []


def test_a_report_beyond_the_limit_gets_a_page_that_names_it(client, units, caplog):
    with translation.override("mn"):
        assert gettext(TOO_LARGE) != TOO_LARGE, "not translated into Mongolian"
    paste = "ж" * (LIMIT // 2 + 1)
    for prefix in ("", "/en"):
        before = stored()
        response = send_report(client, prefix, body=paste)
        assert response.status_code == 413
        assert says(response, TOO_LARGE, limit=LIMIT // MB), text_of(response)[-2000:]
        assert stored() == before
    assert errors_logged(caplog) == []


def call_form(**changes) -> str:
    """The clerk's phone-call form as a browser sends a form without files: URL-encoded."""
    form = {"line": "7052-2200", "started_at": "", "duration": "4:30", "kind": "complaint",
            "body": "Утсаар ирсэн гомдол.", "summary_confirmed": "on",
            "token": secrets.token_urlsafe(24), **changes}
    return urlencode(form)


def post_call(client, data, language=None):
    return client.post(url("intake:phone_call_new", language=language), data,
                       content_type="application/x-www-form-urlencoded")


def test_a_long_paste_into_a_staff_form_comes_back_with_the_length_message(
    client, personas, signed_in, caplog
):
    signed_in(personas["clerk"])
    paste = "a" * (3 * MB)
    before = counts()
    response = post_call(client, call_form(body=paste))
    assert response.status_code == 400
    assert response.context["form"]["body"].value() == paste
    assert "body" in response.context["form"].errors
    assert counts() == before
    assert errors_logged(caplog) == []


def test_a_staff_form_beyond_the_limit_gets_the_page_in_both_languages(
    client, personas, signed_in, caplog
):
    signed_in(personas["clerk"])
    # Cyrillic is sent percent-encoded: six bytes a letter.
    data = call_form(body="ж" * (LIMIT // 6 + 1))
    assert len(data) > LIMIT
    before = counts()
    for language in ("mn", "en"):
        response = post_call(client, data, language=language)
        assert response.status_code == 413
        assert response["Content-Language"] == language
        assert says(response, TOO_LARGE, limit=LIMIT // MB), text_of(response)[-2000:]
    assert counts() == before
    assert errors_logged(caplog) == []
