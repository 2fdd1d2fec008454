"""Triage and referrals from the case's pages: who may act, what the officer and the head
see, and that the suggestion shown is the one kept beside the decision."""

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from outbox.models import Outbox
from routing.case.forms import sign_suggestion
from routing.models import Category, Referral, ReferralState, TriageDecision
from tests.intake.pages_case import CASE, NOW, make_case, method_of
from tests.org.test_access import PERSONAS, expected_status
from tests.routing.helpers import make_agency, prepare, triage
from tests.routing.pages_referral import PAGES, R2, make_referral_case, post_data

pytestmark = pytest.mark.django_db

CANARY = "canary-51d0"


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


def _counts():
    return (AuditEvent.objects.count(), TriageDecision.objects.count(),
            Referral.objects.count(), Outbox.objects.count(),
            list(Referral.objects.order_by("pk").values_list("state", flat=True)))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_routing_actions_refuse_the_wrong_role_and_the_wrong_unit(
    client, units, personas, signed_in, persona, page
):
    _, agency = make_referral_case(units, personas)
    name, kwargs, allowed = page[:3]
    signed_in(personas[persona])
    before = _counts()
    response = client.post(reverse(name, kwargs=kwargs), post_data(name, agency))
    expected = expected_status(persona, allowed)
    if expected == {200}:
        expected = {302}  # every action redirects back to the case
        if name == "routing:triage_matter":
            expected = {409}  # the case is in no matter: nothing to apply the decision to
    assert response.status_code in expected, (persona, name, response.status_code)
    if persona not in allowed:
        assert _counts() == before, "a refused request changed something"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_routing_actions_are_post_only_and_need_a_sign_in(client, units, personas, page):
    make_referral_case(units, personas)
    assert method_of(page) == "post"
    url = reverse(page[0], kwargs=page[1])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("org:login"))


def test_get_on_an_action_changes_nothing(client, units, personas, signed_in):
    make_referral_case(units, personas)
    signed_in(personas["head"])
    before = _counts()
    assert client.get(reverse("routing:referral_approve", kwargs=R2)).status_code == 405
    assert _counts() == before


def test_the_officer_reads_sees_the_suggestion_and_triages(client, units, personas,
                                                           signed_in):
    complaint = make_case(units, personas,
                          body=f"Ажилтан 50000 төгрөгийн хээл хахууль нэхсэн. {CANARY}")
    make_agency()
    signed_in(personas["officer"])
    page = client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()
    assert 'id="suggestion"' in page and "хахууль" in page
    assert reverse("routing:triage", kwargs=CASE) in page

    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    assert CANARY not in page and "suggestion" not in page.split("Triage")[0]

    from routing.services import suggestion_record
    from routing.triage import suggest

    shown = suggestion_record(suggest(complaint.body.reveal()))
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **post_data("routing:triage"), "triage-suggestion": sign_suggestion(shown),
    })
    assert response.status_code == 302
    decision = TriageDecision.objects.get(current=True)
    assert decision.corruption_related and decision.suggestion == shown
    assert decision.refer_due is not None
    event = AuditEvent.objects.filter(action="complaint.triaged").get()
    assert event.details_dict["agrees_with_suggestion"] is True
    assert CANARY not in str(event.details)


def test_the_officer_gives_the_case_its_short_title_when_triaging(client, units, personas,
                                                                  signed_in):
    complaint = make_case(units, personas)
    signed_in(personas["officer"])
    page = client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()
    assert 'name="triage-title"' in page
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **post_data("routing:triage"), "triage-title": " Хээл\nхахууль нэхсэн ",
    })
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.title == "Хээл хахууль нэхсэн"
    assert AuditEvent.objects.filter(action="complaint.titled").count() == 1
    # Triaged again from a form without the field, the title stays.
    client.post(reverse("routing:triage", kwargs=CASE), post_data("routing:triage"))
    complaint.refresh_from_db()
    assert complaint.title == "Хээл хахууль нэхсэн"
    assert TriageDecision.objects.count() == 2


def test_a_title_too_long_refuses_the_triage_and_keeps_what_was_typed(client, units,
                                                                     personas, signed_in):
    complaint = make_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **post_data("routing:triage"), "triage-title": "ж" * 81,
    })
    assert response.status_code == 400
    assert "ж" * 81 in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.title == "" and not TriageDecision.objects.exists()


def test_a_forged_suggestion_is_refused_and_nothing_saved(client, units, personas, signed_in):
    make_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **post_data("routing:triage"), "triage-suggestion": "forged",
    })
    assert response.status_code == 400
    assert not TriageDecision.objects.exists()


def test_a_triage_without_a_category_is_refused_clearly(client, units, personas, signed_in):
    make_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(reverse("routing:triage", kwargs=CASE),
                           {"triage-priority": "high", "triage-reason": "..."})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not TriageDecision.objects.exists()


@pytest.mark.parametrize("chosen", [str(2**63), str(-(2**63) - 1), "9" * 30, "сан"])
def test_a_category_that_is_no_id_is_refused_as_not_on_the_list(
    client, units, personas, signed_in, chosen
):
    """A number no id column can hold went to the database as it was and failed there
    (SQLite: OverflowError, a server error); the fuzzer found 2**63."""
    make_case(units, personas)
    signed_in(personas["officer"])
    bribery = Category.objects.get(code="bribery").pk
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        "triage-categories": [bribery, chosen], "triage-priority": "high",
        "triage-reason": "Хээл хахууль нэхсэн."})
    assert response.status_code == 400
    assert "Жагсаалтаас ангилал сонгоно уу." in response.content.decode()
    assert not TriageDecision.objects.exists()


def test_officer_prepares_from_the_read_page_and_the_head_approves(
    client, units, personas, signed_in
):
    complaint = make_case(units, personas)
    agency = make_agency()
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    page = client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()
    assert "refer-cover_letter" in page and "Авлигатай тэмцэх газар" in page
    response = client.post(reverse("routing:refer", kwargs=CASE), {
        "refer-agency": agency.pk, "refer-cover_letter": "Шилжүүлж байна.",
        "refer-attachments": [str(complaint.attachments.get().uid)],
    })
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.attachments.count() == 1 and not referral.include_reporter

    # The preparer is shown no approve button and cannot approve by posting.
    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    assert reverse("routing:referral_approve", kwargs={**CASE, "number": referral.reference}) \
        not in page
    client.logout()
    signed_in(personas["head"])
    page = client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()
    assert "Шилжүүлж байна." in page  # the head reads the cover letter before approving
    response = client.post(reverse("routing:referral_approve",
                                   kwargs={**CASE, "number": referral.reference}))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.APPROVED and referral.package_sha256


def test_a_head_who_prepared_gets_403_on_approve(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    referral = prepare(complaint, personas["head"], make_agency())
    signed_in(personas["head"])
    response = client.post(reverse("routing:referral_approve",
                                   kwargs={**CASE, "number": referral.reference}))
    assert response.status_code == 403
    assert Referral.objects.get().state == ReferralState.PREPARED


def test_recused_head_does_not_find_the_case_to_approve(client, units, personas, signed_in):
    from intake.models import Recusal

    complaint = make_case(units, personas)
    referral = prepare(complaint, personas["officer"], make_agency())
    Recusal.objects.create(complaint=complaint, user=personas["head"])
    signed_in(personas["head"])
    response = client.post(reverse("routing:referral_approve",
                                   kwargs={**CASE, "number": referral.reference}))
    assert response.status_code == 404
    assert Referral.objects.get().state == ReferralState.PREPARED


def test_an_answer_dated_in_the_future_is_refused(client, units, personas, signed_in):
    make_referral_case(units, personas)
    signed_in(personas["officer"])
    r1 = Referral.objects.get(reference="DG-2026-00001-R1")
    response = client.post(reverse("routing:referral_answer",
                                   kwargs={**CASE, "number": r1.reference}),
                           {f"answer-{r1.pk}-kind": "acknowledgement",
                            f"answer-{r1.pk}-answered_on": "2027.01.01"})
    assert response.status_code == 400
    assert not r1.answers.exists()
