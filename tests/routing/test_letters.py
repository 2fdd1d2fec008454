"""Referrals by post: the letter is printed from the approved package (an audited reading)
and a clerk marks it sent, which starts the agency's acknowledgement clock."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from intake.models import Recusal
from outbox.models import Outbox
from routing.models import Referral, ReferralState
from tests.conftest import get_counted
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


def _more_letters(referral, count: int):
    """`count` more referrals of the same case waiting for their letter, approved later."""
    extra = []
    for number in range(count):
        copy = Referral(
            reference=f"{referral.reference}-L{number:02d}", complaint=referral.complaint,
            unit=referral.unit, data_key=referral.complaint.data_key, agency=referral.agency,
            prepared_by=referral.prepared_by, approved_by=referral.approved_by,
            state=ReferralState.AWAITING_LETTER, prepared_at=referral.prepared_at,
            approved_at=referral.approved_at + timedelta(minutes=number + 1),
        )
        copy.cover_letter = f"{CANARY} copy"
        extra.append(copy)
    Referral.objects.bulk_create(extra)


def test_letters_are_paged_first_approved_first_in_the_same_queries_at_any_length(
    client, units, personas, signed_in, monkeypatch
):
    monkeypatch.setattr("routing.letters.views.LETTERS_PER_PAGE", 3)
    referral = make_letter_case(units, personas)
    signed_in(personas["clerk"])
    url = reverse("routing:letters", kwargs={"unit_code": "DG"})

    def page(query=None):
        count, response = get_counted(client, url, query)
        return count, [row[0].reference for row in response.context["rows"]]

    few, listed = page()
    assert listed == [NUMBER]
    _more_letters(referral, 7)
    many, first = page()
    assert many == few, "each letter costs queries"
    assert first == [NUMBER, f"{NUMBER}-L00", f"{NUMBER}-L01"]
    assert page({"page": 3})[1] == [f"{NUMBER}-L05", f"{NUMBER}-L06"]


def test_a_refused_letter_on_a_later_page_is_shown_with_its_error(
    client, units, personas, signed_in, monkeypatch
):
    monkeypatch.setattr("routing.letters.views.LETTERS_PER_PAGE", 3)
    referral = make_letter_case(units, personas)
    _more_letters(referral, 7)
    late = Referral.objects.get(reference=f"{NUMBER}-L06")
    signed_in(personas["clerk"])
    response = client.post(
        reverse("routing:letter_sent", kwargs={"unit_code": "DG", "number": late.reference}),
        {f"sent-{late.pk}-sent_on": "2026.03.20"})
    assert response.status_code == 400
    assert response.context["rows"][0][0] == late and response.context["rows"][0][1].errors
    assert 'role="alert"' in response.content.decode()
