"""The evidence goes with a referral unless the officer says otherwise, the head sees which
files go before approving and is warned when none do, and a referral waiting for approval
is the only one being prepared."""

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from routing.models import Referral, ReferralState
from tests.intake.pages_case import CASE, FILE_UID, NOW, make_case
from tests.routing.helpers import make_agency, prepare, triage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


def read_page(client) -> str:
    return client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()


def referral_form(page: str) -> str:
    end = page.index('formaction="' + reverse("routing:refer", kwargs=CASE))
    return page[page.index('name="refer-agency"'):end]


def test_the_cases_files_are_ticked_in_the_referral_form(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    make_agency()
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    form = referral_form(read_page(client))
    at = form.index(f'value="{FILE_UID}"')
    box = form[form.rindex("<input", 0, at):form.index(">", at)]
    assert "checked" in box and "slip.pdf" in form


def test_the_head_sees_which_files_go_before_approving(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    agency = make_agency()
    prepare(complaint, personas["officer"], agency, attachments=complaint.attachments.all())
    signed_in(personas["head"])
    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    panel = page[page.index('class="files-sent"'):]
    assert "slip.pdf" not in page  # the name is sealed: shown only once the case is read
    assert "PDF" in panel[:200]
    read = read_page(client)
    assert "slip.pdf" in read[read.index('class="files-sent"'):][:300]
    # Listing the files decrypts nothing beyond the reading itself.
    assert not AuditEvent.objects.filter(action__contains="download").exists()


def test_the_head_is_warned_plainly_when_no_file_goes(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    prepare(complaint, personas["officer"], make_agency())
    signed_in(personas["head"])
    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    assert 'class="files-sent"' not in page
    warning = page[page.index('<p class="errors" role="status">Хэрэгт'):][:300]
    assert "Хэрэгт 1 файл байгаа боловч энэ шилжүүлэгт нэг ч файл хавсаргаагүй." in warning
    # Warned, the head may still approve: a referral without files can be what was meant.
    assert reverse("routing:referral_approve",
                   kwargs={**CASE, "number": "DG-2026-00001-R1"}) in page


def test_no_second_referral_is_prepared_while_one_waits(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    prepare(complaint, personas["officer"], make_agency())
    assert Referral.objects.get().state == ReferralState.PREPARED
    signed_in(personas["head"])
    page = read_page(client)
    assert reverse("routing:refer", kwargs=CASE) not in page
    assert 'name="refer-cover_letter"' not in page


# --- the two forms of the read page --------------------------------------------------------

def triage_fields(codes=("bribery",)) -> dict:
    from routing.models import Category

    return {"triage-categories": [c.pk for c in Category.objects.filter(code__in=codes)],
            "triage-priority": "high", "triage-reason": "Хээл хахууль нэхсэн."}


def test_the_referral_fields_belong_to_the_one_form_of_the_page(client, units, personas,
                                                                signed_in):
    complaint = make_case(units, personas)
    make_agency()
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    page = read_page(client)
    assert page.count('id="case-actions"') == 1
    for name in ("refer-agency", "refer-cover_letter", "refer-redactions"):
        at = page.index(f'name="{name}"')
        assert 'form="case-actions"' in page[page.rindex("<", 0, at):page.index(">", at)]


def test_recording_the_decision_keeps_the_referral_being_written(client, units, personas,
                                                                 signed_in):
    complaint = make_case(units, personas)
    agency = make_agency()
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **triage_fields(("bribery", "staff_conduct")),
        "refer-agency": agency.pk, "refer-cover_letter": "Миний бичсэн албан бичиг.",
        "refer-redactions": "Дорж", "refer-attachments": [str(FILE_UID)],
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert complaint.triage_decisions.filter(current=True).get().categories.count() == 2
    assert "Миний бичсэн албан бичиг." in page and "Дорж</textarea>" in page
    assert not Referral.objects.exists()


def test_preparing_the_referral_keeps_the_decision_being_written(client, units, personas,
                                                                 signed_in):
    complaint = make_case(units, personas)
    agency = make_agency()
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    response = client.post(reverse("routing:refer", kwargs=CASE), {
        **triage_fields(), "triage-reason": "Дахин шийдэх шалтгаан.",
        "refer-agency": agency.pk, "refer-cover_letter": "Шилжүүлж байна.",
    })
    assert response.status_code == 200 and Referral.objects.count() == 1
    assert "Дахин шийдэх шалтгаан." in response.content.decode()
    assert complaint.triage_decisions.count() == 1  # kept as typed, not recorded


def test_a_refused_decision_keeps_the_referral_being_written(client, units, personas,
                                                             signed_in):
    complaint = make_case(units, personas)
    agency = make_agency()
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **triage_fields(), "triage-categories": [],
        "refer-agency": agency.pk, "refer-cover_letter": "Миний бичсэн албан бичиг.",
    })
    assert response.status_code == 400
    assert "Миний бичсэн албан бичиг." in response.content.decode()


def test_a_decision_without_typed_referral_text_goes_back_to_the_case(client, units, personas,
                                                                      signed_in):
    from routing.cover_letter import cover_letter_draft

    complaint = make_case(units, personas)
    agency = make_agency()
    decision = triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    draft = cover_letter_draft(complaint, agency, decision).replace("\n", "\r\n")
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **triage_fields(), "refer-agency": agency.pk, "refer-cover_letter": draft,
    })
    assert response.status_code == 302


def answered_case(units, personas):
    from tests.routing.helpers import approved_referral

    complaint = make_case(units, personas)
    referral = approved_referral(complaint, personas["officer"], personas["head"],
                                 make_agency())
    return complaint, referral


def test_recording_the_decision_keeps_an_agency_answer_being_typed(client, units, personas,
                                                                   signed_in):
    complaint, referral = answered_case(units, personas)
    signed_in(personas["officer"])
    page = read_page(client)
    at = page.index(f'name="answer-{referral.pk}-text"')
    assert 'form="case-actions"' in page[page.rindex("<", 0, at):page.index(">", at)]
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **triage_fields(), "triage-suggestion": "",
        f"answer-{referral.pk}-kind": "acknowledgement",
        f"answer-{referral.pk}-text": "Байгууллага хүлээн авснаа утсаар мэдэгдсэн.",
    })
    assert response.status_code == 200
    assert "Байгууллага хүлээн авснаа утсаар мэдэгдсэн." in response.content.decode()
    assert complaint.triage_decisions.count() == 2 and not referral.answers.exists()


def test_a_refused_answer_keeps_the_decision_being_typed(client, units, personas, signed_in):
    complaint, referral = answered_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(reverse("routing:referral_answer", kwargs={
        **CASE, "number": referral.reference}), {
        **triage_fields(), "triage-suggestion": "", "triage-reason": "Шинээр шийдэх шалтгаан.",
        f"answer-{referral.pk}-kind": "acknowledgement",  # no date: refused
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "Шинээр шийдэх шалтгаан." in page and 'id="case-actions"' in page
    assert not referral.answers.exists() and complaint.triage_decisions.count() == 1


def test_an_answer_from_the_case_page_goes_back_to_it(client, units, personas, signed_in):
    complaint, referral = answered_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(reverse("routing:referral_answer", kwargs={
        **CASE, "number": referral.reference}), {
        f"answer-{referral.pk}-kind": "acknowledgement",
        f"answer-{referral.pk}-answered_on": "2026.03.19",
    })
    assert response.status_code == 302 and referral.answers.count() == 1


# --- intake's boxes and routing's are one form on the read page ---------------------------

REPLY = "Таны гомдлыг шалгаж эхэлсэн."


def test_a_triage_decision_keeps_a_reply_being_typed(client, units, personas, signed_in):
    complaint = make_case(units, personas)
    signed_in(personas["officer"])
    page = read_page(client)
    at = page.index('name="reply-body"')
    assert 'form="case-actions"' in page[page.rindex("<", 0, at):page.index(">", at)]
    response = client.post(reverse("routing:triage", kwargs=CASE), {
        **triage_fields(), "triage-suggestion": "", "triage-reason": "Хээл хахууль.",
        "reply-body": REPLY})
    assert response.status_code == 200  # recorded, and the read page again with the reply
    assert REPLY in response.content.decode()
    assert complaint.triage_decisions.count() == 1
    assert not complaint.messages.filter(author="staff").exists()


def test_a_reply_sent_while_a_triage_reason_is_typed_does_neither_and_keeps_both(
        client, units, personas, signed_in):
    complaint = make_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(reverse("intake:case_reply", kwargs=CASE), {
        **triage_fields(), "triage-suggestion": "", "triage-reason": "Шалтгаан бичиж байна.",
        "reply-body": REPLY})
    assert response.status_code == 409
    page = response.content.decode()
    assert REPLY in page and "Шалтгаан бичиж байна." in page
    assert not complaint.messages.filter(author="staff").exists()
    assert complaint.triage_decisions.count() == 0


def test_approving_with_a_return_reason_typed_approves_nothing(client, units, personas,
                                                               signed_in):
    complaint = make_case(units, personas)
    prepare(complaint, personas["officer"], make_agency())
    signed_in(personas["head"])
    referral = Referral.objects.get()
    response = client.post(reverse("routing:referral_approve", kwargs={
        **CASE, "number": referral.reference}), {"return-reason": "Баримт дутуу."})
    assert response.status_code == 409
    assert "Баримт дутуу." in response.content.decode()
    assert Referral.objects.get().state == ReferralState.PREPARED
