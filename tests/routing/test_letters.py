"""Referrals by post: the letter is printed from the approved package (an audited reading)
and a clerk marks it sent, which starts the agency's acknowledgement clock."""

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import Recusal
from outbox.models import Outbox
from routing.models import Referral, ReferralState
from tests.intake.pages_case import NOW, method_of
from tests.org.test_access import PERSONAS, expected_status
from tests.routing.pages_letters import LETTER, NUMBER, PAGES, POST_DATA, make_letter_case

pytestmark = pytest.mark.django_db

CANARY = "canary-4410"


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


def _state():
    referral = Referral.objects.get(reference=NUMBER)
    return (AuditEvent.objects.count(), referral.state, referral.letter_number,
            referral.outbox.state)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_letter_pages_refuse_the_wrong_role_and_the_wrong_unit(
    client, units, personas, signed_in, persona, page
):
    referral = make_letter_case(units, personas)
    name, kwargs, allowed = page[:3]
    signed_in(personas[persona])
    before = _state()
    if method_of(page) == "post":
        data = POST_DATA.get(name, lambda r: {})(referral)
        response = client.post(reverse(name, kwargs=kwargs), data)
    else:
        response = client.get(reverse(name, kwargs=kwargs))
    expected = expected_status(persona, allowed)
    if expected == {200} and name == "routing:letter_sent":
        expected = {302}
    assert response.status_code in expected, (persona, name, response.status_code)
    if persona not in allowed:
        assert _state() == before


def test_the_clerk_prints_the_letter_from_the_package_and_marks_it_sent(
    client, units, personas, signed_in
):
    referral = make_letter_case(units, personas, body=f"Мөнгө нэхсэн. {CANARY}")
    assert referral.state == ReferralState.AWAITING_LETTER
    signed_in(personas["clerk"])
    listing = client.get(reverse("routing:letters", kwargs={"unit_code": "DG"})).content
    assert NUMBER.encode() in listing and CANARY.encode() not in listing

    printed = client.post(reverse("routing:letter_print", kwargs=LETTER)).content.decode()
    assert CANARY in printed and referral.package_sha256 in printed
    assert "Аймгийн прокурорын газар" in printed
    read = AuditEvent.objects.filter(action="content.read").order_by("seq").last()
    assert read.details_dict == {"fields": ["package"]}

    response = client.post(reverse("routing:letter_sent", kwargs=LETTER),
                           POST_DATA["routing:letter_sent"](referral))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.DELIVERED
    assert referral.letter_number == "01/342"
    assert referral.acknowledge_expected_by > NOW.date()
    assert referral.outbox.state == Outbox.State.DELIVERED


def test_a_letter_sent_in_the_future_or_without_number_is_refused(
    client, units, personas, signed_in
):
    referral = make_letter_case(units, personas)
    signed_in(personas["clerk"])
    before = _state()
    for data in ({f"sent-{referral.pk}-letter_number": "01/1",
                  f"sent-{referral.pk}-sent_on": "2027.01.01"},
                 {f"sent-{referral.pk}-sent_on": "2026.03.20"}):
        response = client.post(reverse("routing:letter_sent", kwargs=LETTER), data)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert _state() == before


def test_recused_clerk_does_not_see_the_letter(client, units, personas, signed_in):
    referral = make_letter_case(units, personas)
    Recusal.objects.create(complaint=referral.complaint, user=personas["clerk"])
    signed_in(personas["clerk"])
    listing = client.get(reverse("routing:letters", kwargs={"unit_code": "DG"})).content
    assert NUMBER.encode() not in listing
    assert client.post(reverse("routing:letter_print", kwargs=LETTER)).status_code == 404


def test_printing_opens_in_a_new_tab_so_a_typed_letter_number_stays(client, units, personas,
                                                                    signed_in):
    make_letter_case(units, personas)
    signed_in(personas["clerk"])
    listing = client.get(reverse("routing:letters", kwargs={"unit_code": "DG"})).content.decode()
    at = listing.index('action="' + reverse("routing:letter_print", kwargs=LETTER))
    assert 'target="_blank"' in listing[at:listing.index(">", at)]
