"""The month page as the clerk works it: the head's reason for sending a report back is kept
and shown until the clerk prepares again, and text typed in the explanation is never lost
whichever button is pressed."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from notify.models import Kind, Notification
from reporting.models import State
from tests.reporting.pages_reporting import NOW, ON_MONTH, make_report, snapshot
from tests.reporting.test_views import current

pytestmark = pytest.mark.django_db

REASON = "3-р хүснэгтийн тоо зөрж байна, дахин шалгана уу."


@pytest.fixture(autouse=True)
def _in_november_2026_in_mongolian(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    with time_machine.travel(NOW, tick=True), translation.override("mn"):
        yield


def url(name):
    return reverse(f"reporting:{name}", kwargs=ON_MONTH)


def send_back(client, personas, signed_in, reason=REASON):
    signed_in(personas["head"])
    response = client.post(url("send_back"), {"send_back-version": "1",
                                              "send_back-reason": reason})
    assert response.status_code == 302
    client.logout()


def test_the_clerk_reads_the_heads_reason_until_preparing_again(client, units, personas,
                                                                 signed_in):
    make_report(units, personas, "prepared")
    send_back(client, personas, signed_in)
    assert current().state == State.DRAFT and current().send_back_reason == REASON

    signed_in(personas["clerk"])
    html = client.get(url("month")).content.decode()
    shown = html[html.index('id="send-back-reason"'):]
    assert REASON in shown[:shown.index("</div>")]
    english = client.get("/en" + url("month")).content.decode()
    assert "Reason it was sent back:" in english

    assert client.post(url("prepare"), {"version": "1"}).status_code == 302
    assert current().send_back_reason == ""
    assert 'id="send-back-reason"' not in client.get(url("month")).content.decode()


def test_the_reason_is_audited_by_its_length_only(client, units, personas, signed_in):
    make_report(units, personas, "prepared")
    send_back(client, personas, signed_in)
    event = AuditEvent.objects.filter(action="report.sent_back").get()
    assert event.details_dict["reason_chars"] == len(REASON)
    assert REASON not in event.details


def test_the_clerk_is_told_the_report_was_sent_back_without_the_reason(
    client, units, personas, signed_in
):
    make_report(units, personas, "prepared")
    send_back(client, personas, signed_in)
    notice = Notification.objects.get(recipient=personas["clerk"], kind=Kind.REPORT_SENT_BACK)
    assert notice.event.subject["month"] == "2026-10"
    assert REASON not in str(notice.event.subject)
    assert not Notification.objects.filter(recipient=personas["clerk"],
                                           kind=Kind.REPORT_DRAFTED,
                                           event__subject__state="draft",
                                           created_at__gte=notice.created_at).exists()
    signed_in(personas["clerk"])
    centre = client.get("/en" + reverse("notify:centre")).content.decode()
    assert "Monthly report sent back by the head" in centre and "DG-T-2026-10" in centre


def test_mark_prepared_saves_the_explanation_typed_in_the_same_form(client, units, personas,
                                                                     signed_in):
    make_report(units, personas, "draft")
    signed_in(personas["clerk"])
    html = client.get(url("month")).content.decode()
    form = html[html.index('id="narrative-form"'):]
    form = form[:form.index("</form>")]
    assert 'formaction="' + url("prepare") + '"' in form  # the second button is in it

    response = client.post(url("prepare"), {"narrative-version": "1",
                                            "narrative-narrative": "Сард нэг гомдол ирсэн."})
    assert response.status_code == 302
    report = current()
    assert report.state == State.PREPARED and report.prepared_by == personas["clerk"]
    assert report.narrative.reveal() == "Сард нэг гомдол ирсэн."
    assert AuditEvent.objects.filter(action="report.edited").count() == 1


def test_mark_prepared_with_the_explanation_unchanged_records_no_edit(client, units,
                                                                      personas, signed_in):
    make_report(units, personas, "draft")
    signed_in(personas["clerk"])
    response = client.post(url("prepare"), {"narrative-version": "1",
                                            "narrative-narrative": ""})
    assert response.status_code == 302 and current().state == State.PREPARED
    assert not AuditEvent.objects.filter(action="report.edited").exists()


def test_an_explanation_too_long_to_prepare_is_shown_again_and_nothing_changes(
    client, units, personas, signed_in
):
    make_report(units, personas, "draft")
    signed_in(personas["clerk"])
    before = snapshot()
    text = "Урт тайлбар. " * 2000
    response = client.post(url("prepare"), {"narrative-version": "1",
                                            "narrative-narrative": text})
    assert response.status_code == 400 and snapshot() == before
    assert "Урт тайлбар. Урт тайлбар." in response.content.decode()


def test_text_typed_on_a_report_that_changed_meanwhile_is_offered_again(
    client, units, personas, signed_in
):
    make_report(units, personas, "draft")
    signed_in(personas["clerk"])
    response = client.post(url("prepare"), {"narrative-version": "7",
                                            "narrative-narrative": "Миний бичсэн."})
    assert response.status_code == 409 and current().state == State.DRAFT
    html = response.content.decode()
    assert 'id="refusal"' in html and "Миний бичсэн." in html
    assert 'name="narrative-version" value="1"' in html


def test_approve_pressed_with_a_send_back_reason_typed_does_neither_and_keeps_it(
    client, units, personas, signed_in
):
    make_report(units, personas, "prepared")
    signed_in(personas["head"])
    html = client.get(url("month")).content.decode()
    form = html[html.index('id="approve-form"'):]
    assert 'formaction="' + url("send_back") + '"' in form[:form.index("</form>")]
    before = snapshot()
    response = client.post(url("approve"), {"version": "1", "send_back-version": "1",
                                            "send_back-reason": REASON})
    assert response.status_code == 409 and snapshot() == before
    assert REASON in response.content.decode()
    response = client.post(url("approve"), {"version": "1", "send_back-version": "1",
                                            "send_back-reason": "  "})
    assert response.status_code == 302 and current().state == State.APPROVED


def test_a_letter_number_typed_is_kept_when_correct_is_pressed(client, units, personas,
                                                               signed_in):
    report = make_report(units, personas, "approved")
    delivery = report.deliveries.get()
    signed_in(personas["clerk"])
    html = client.get(url("month")).content.decode()
    form = html[html.index('id="approved-form"'):]
    form = form[:form.index("</form>")]
    assert f'id="letter-{delivery.uid}"' in form and 'id="correct-form"' in form
    before = snapshot()
    response = client.post(url("correct"), {"correct-version": "1", "correct-reason": "",
                                            f"letter-{delivery.pk}-letter_number": "01/77"})
    assert response.status_code == 409 and snapshot() == before
    assert 'value="01/77"' in response.content.decode()
    response = client.post(
        reverse("reporting:letter_sent", kwargs={**ON_MONTH, "uid": delivery.uid}),
        {"correct-version": "1", "correct-reason": "Тоо буруу.",
         f"letter-{delivery.pk}-letter_number": "01/77"})
    assert response.status_code == 409 and snapshot() == before
    assert "Тоо буруу." in response.content.decode()
