"""Every form, fed hostile input: random text (Mongolian Cyrillic, control characters, NULs,
huge strings), wrong types, missing and repeated fields, random files. Whatever comes in,
the answer is never a server error, and input the form refuses saves nothing. When random
input happens to be valid it may save, and then the answer is a success.

The public forms are used as a visitor would: the report form is fetched first, for its
one-time token, and the rate limits are reset between examples (they are tested in
tests/intake/test_ratelimit.py). The staff forms are every route of the authorization
matrix that takes a POST, used by someone allowed to.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from intake.public import views as views_public
from intake.public.forms import LOOKUP_TOKEN_SALT, new_form_token
from intake.services import Content, web_report_submit
from tests.security.conftest import MATRIX_NOW, world_records
from tests.security.fuzz import Field, fields_for, form_body, forms_on, fuzz_settings
from tests.security.helpers import (
    body_of,
    client_for,
    counts,
    post_counted,
    rolled_back,
    states,
)
from tests.security.test_authz_matrix import ANY_STAFF, RULES
from tests.shared_data import shared_records

# Every test starts from the one world, built once for the module (tests/shared_data.py).
_records, _built, units, personas, world = shared_records(
    world_records, keys=["world"], at=MATRIX_NOW)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_records", "at_matrix_time")]

STAFF_EXAMPLES = 6
PUBLIC_EXAMPLES = 20


@pytest.fixture(autouse=True)
def _no_waiting_on_lookups(monkeypatch):
    """The receipt lookups' time floor (0.35 s a POST) only makes the run slow here; what
    it protects is tested in tests/intake/test_tracking.py."""
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def check(response, before, after, *, success_200=False, may_record=frozenset()):
    """The rules every answer keeps; returns a description of what broke, or None."""
    status = response.status_code
    what = changed(before, after)
    if status >= 500:
        return f"server error {status}"
    if status == 302:
        return None
    if status == 200 and success_200:
        return None
    # A refusal (or a page shown again) saves nothing, though a reading may be recorded.
    if what - set(may_record):
        return f"{status} but {sorted(what - set(may_record))} changed"
    return None


# --- the public forms -----------------------------------------------------------------------

def test_the_report_form_takes_any_input_without_failing_or_saving_what_it_refuses(personas):
    client = client_for(None)
    url = reverse("intake:report")
    outcomes = set()

    @fuzz_settings(PUBLIC_EXAMPLES)
    @given(data=st.data())
    def attempt(data):
        cache.clear()
        page = client.get(url)
        assert page.status_code == 200
        fields = fields_for(body_of(page), url, page_url=url)
        assert {"body", "token", "unit", "attachments"} <= set(fields)
        fields["body"] = Field("textarea", "Бичиг хэргийн ажилтан мөнгө нэхсэн.")
        fields["website"] = Field("text", "")
        body = data.draw(form_body(fields))
        response, before, after = post_counted(client, url, body)
        problem = check(response, before, after, success_200=True)
        assert problem is None, (problem, body)
        outcomes.add(response.status_code)
        if response.status_code == 200:
            assert 'id="receipt"' in body_of(response), body
            assert after["complaints"] == before["complaints"] + 1
        else:
            assert response.status_code in (400, 409, 413), response.status_code

    attempt()
    # The fuzz reached both sides: reports it accepted and reports it refused.
    assert {200, 400} <= outcomes, outcomes


def test_the_tracking_form_takes_any_receipt_without_failing(personas):
    client = client_for(None)
    url = reverse("intake:track")

    @fuzz_settings(PUBLIC_EXAMPLES)
    @given(receipt=st.one_of(st.none(), *[value_for_text()]), extra=st.booleans())
    def attempt(receipt, extra):
        cache.clear()
        # A valid form token, so that the lookup itself is reached (without one it is
        # refused before anything is counted: tests/intake/test_ratelimit.py).
        body = {"token": new_form_token(LOOKUP_TOKEN_SALT)}
        if receipt is not None:
            body["receipt"] = receipt
        if extra:
            body["receipt2"] = "1234567890123456"
        response, before, after = post_counted(client, url, body)
        assert response.status_code == 404, (response.status_code, body)
        assert before == after

    attempt()


def value_for_text():
    from tests.security.fuzz import TEXT

    return st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3),
                     st.text(alphabet="0123456789 -", min_size=16, max_size=24))


def test_the_reporters_message_form_takes_any_input_without_failing(personas, units):
    logged = web_report_submit(
        unit=units["DG"], kind="complaint", submission_token="f" * 64, language="mn",
        content=Content(body="Үйлчилгээ удаан байна."),
    )
    receipt = logged.receipt
    client = client_for(None)
    url = reverse("intake:track_message")
    cache.clear()
    page = client.post(reverse("intake:track"), {"receipt": receipt,
                                                 "token": new_form_token(LOOKUP_TOKEN_SALT)})
    assert page.status_code == 200
    fields = fields_for(body_of(page), url)
    assert {"body", "receipt"} <= set(fields)
    fields["receipt"] = Field("hidden", receipt)
    # The form's token is mostly sent as it was given, so that the fuzz reaches the message
    # itself; a made-up or empty one is refused (400) before the receipt is looked up.
    token = fields.pop("token").value
    fields["body"] = Field("textarea", "Нэмэлт мэдээлэл")
    outcomes = set()

    # Written out, not post_counted: hypothesis seeds a derandomized run from the function's
    # source, and these examples are known to reach both a sent message and a refusal.
    @fuzz_settings(PUBLIC_EXAMPLES)
    @given(data=st.data())
    def attempt(data):
        cache.clear()
        body = {**data.draw(form_body(fields)),
                "token": data.draw(st.sampled_from([token, token, "made:up:token", ""]))}
        with rolled_back():
            before = counts()
            response = client.post(url, body)
            after = counts()
        # Every lookup that finds the case records the reading, whatever the form said.
        problem = check(response, before, after, success_200=True,
                        may_record={"audit_reads"})
        assert problem is None, (problem, body)
        outcomes.add(response.status_code)
        # Without the receipt (left out or garbled by the fuzz) the case is not found.
        assert response.status_code in (200, 400, 413) or (
            response.status_code == 404 and body.get("receipt") != receipt), body
        if response.status_code == 200:
            assert after["messages"] == before["messages"] + 1, body
        else:
            assert changed(before, after) <= {"audit_reads"}, body

    attempt()
    assert {200, 400} <= outcomes, outcomes


def test_the_survey_form_takes_any_input_without_failing_or_counting_what_it_refuses(world):
    client = client_for(None)
    url = reverse("surveys:answer", kwargs={"unit_code": "DG"})
    outcomes = set()

    @fuzz_settings(PUBLIC_EXAMPLES)
    @given(data=st.data())
    def attempt(data):
        cache.clear()
        page = client.get(url)
        assert page.status_code == 200
        fields = fields_for(body_of(page), url, page_url=url)
        assert {"token", "q-service", "q-source"} <= set(fields)
        fields["website"] = Field("text", "")
        body = data.draw(form_body(fields))
        with rolled_back():
            before = states()
            response = client.post(url, body)
            after = states()
        outcomes.add(response.status_code)
        assert response.status_code in (302, 400), (response.status_code, body)
        assert (before != after) == (response.status_code == 302), body

    attempt()
    # The fuzz reached both sides: answers counted and answers refused.
    assert {302, 400} <= outcomes, outcomes


def test_the_sign_in_form_takes_any_input_without_failing(personas):
    client = client_for(None)
    url = reverse("org:login")
    fields = fields_for(body_of(client.get(url)), url, page_url=url)
    assert {"username", "password"} <= set(fields)
    fields["username"] = Field("text", "clerk")

    @fuzz_settings(PUBLIC_EXAMPLES)
    @given(data=st.data())
    def attempt(data):
        cache.clear()
        body = data.draw(form_body(fields))
        response, before, after = post_counted(client, url, body)
        problem = check(response, before, after, may_record={"audit_reads"})
        assert problem is None, (problem, body)
        assert response.status_code != 302, body  # no random code passes the second factor

    attempt()


# --- the staff forms ------------------------------------------------------------------------

PREFERENCE = ["head", "clerk", "officer", "admin", "auditor"]
# Answers of 200 that are the success itself: a reading, a download, a printed letter.
SUCCESS_200 = {"intake:case_read", "intake:case_file", "routing:letter_print"}
# Forms whose answer to any input may record something without saving it: signing out,
# the second factor's set-up (a new unconfirmed device each visit).
SKIPPED = {"org:logout"}


def _person_for(rule):
    if rule.allowed == ANY_STAFF:
        return "head"
    return next((persona for persona in PREFERENCE if persona in rule.allowed), None)


def _staff_post_rules():
    return [rule for rule in RULES
            if isinstance(rule.allowed, (set, frozenset, str)) and rule.allowed != "public"
            and rule.name not in SKIPPED and _person_for(rule)]


def _pages_with_forms(world, client) -> list[str]:
    """The pages that hold the forms of POST-only actions."""
    names = [("intake:case", {"unit_code": "DG", "reference": world.dg.reference}),
             ("routing:letters", {"unit_code": "DG"}),
             ("reporting:index", {"unit_code": "DG"}),
             ("reporting:month", {"unit_code": "DG", "month": "2026-10"}),
             ("surveys:index", {"unit_code": "DG"}),
             ("surveys:round", {"unit_code": "DG", "year": 2026, "round_no": 1}),
             ("plans:plan", {"unit_code": "DG", "year": 2026}),
             ("plans:report", {"unit_code": "DG", "year": 2026, "period": "year"}),
             ("notify:centre", {})]
    return [body_of(client.get(reverse(name, kwargs=kwargs))) for name, kwargs in names]


FAMILIES = {
    "intake": lambda name: name.startswith("intake:"),
    "routing": lambda name: name.startswith("routing:"),
    "reporting": lambda name: name.startswith("reporting:"),
    "plans": lambda name: name.startswith("plans:"),
    "others": lambda name: name.split(":")[0] not in ("intake", "routing", "reporting",
                                                      "plans"),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_staff_form_takes_any_input_without_failing_or_saving_what_it_refuses(
    world, family
):
    fuzzed, clients, pages = [], {}, {}
    for rule in _staff_post_rules():
        if not FAMILIES[family](rule.name):
            continue
        persona = _person_for(rule)
        client = clients.setdefault(persona, client_for(world.people[persona]))
        url = rule.url(world)
        with rolled_back():
            if client.post(url, {}).status_code == 405:
                continue  # GET only
        known = rule.post_data(world) if rule.post_data else {}
        fields = {}
        if rule.method == "get":
            fields.update(fields_for(body_of(client.get(url)), url, page_url=url))
        if persona not in pages:
            pages[persona] = _pages_with_forms(world, client)
        for page in pages[persona]:
            fields.update(fields_for(page, url))
        fields.update(fields_for("", url, known))
        fuzzed.append(rule.name)
        _fuzz_one(client, rule, url, fields)
    assert fuzzed, family


def _fuzz_one(client, rule, url, fields):
    @fuzz_settings(STAFF_EXAMPLES)
    @given(data=st.data())
    def attempt(data):
        body = data.draw(form_body(fields))
        response, before, after = post_counted(client, url, body)
        problem = check(response, before, after, success_200=rule.name in SUCCESS_200,
                        may_record={"audit_reads"})
        assert problem is None, (rule.name, problem, body)

    attempt()


def test_the_forms_found_are_the_forms_the_pages_show(world):
    """The field discovery reads real pages: the case page carries each action's form."""
    client = client_for(world.people["head"])
    page = body_of(client.get(reverse("intake:case", kwargs={
        "unit_code": "DG", "reference": world.dg.reference})))
    actions = {action for action, _fields in forms_on(page)}
    for name in ("intake:case_reply", "intake:case_note", "intake:case_close",
                 "intake:case_amend"):
        assert reverse(name, kwargs={"unit_code": "DG", "reference": world.dg.reference}) \
            in actions, name

