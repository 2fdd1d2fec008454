"""The case's actions are one form: pressing one action's button with text typed in another
action's box does nothing and shows every box again as typed, so no text is lost."""

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from intake.models import Message, Note
from tests.intake.pages_case import CASE, NOW, make_case

pytestmark = pytest.mark.django_db

REPLY = "Бид таны гомдлыг шалгаж байна."
NOTE = "Дотоод тэмдэглэл: баримтыг шалгах."


@pytest.fixture(autouse=True)
def _own_files_on_a_working_day(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    with time_machine.travel(NOW, tick=True), translation.override("mn"):
        yield
    cache.clear()


def url(name):
    return reverse(name, kwargs=CASE)


def test_every_action_and_the_read_button_are_buttons_of_one_form(client, units, personas,
                                                                signed_in):
    import re

    make_case(units, personas)
    signed_in(personas["officer"])
    html = client.get(url("intake:case")).content.decode()
    assert html.count('<form id="case-actions"') == 1
    for name in ("intake:case_read", "intake:case_acknowledge", "intake:case_reply",
                 "intake:case_note", "intake:case_amend", "intake:case_extend",
                 "intake:case_close"):
        assert f'form="case-actions" formaction="{url(name)}"' in html, name
    for box in ("reply-body", "note-body", "amend-body", "extend-reason", "close-reason"):
        tag = re.search(rf'<(?:textarea|input)[^>]*name="{box}"[^>]*>', html).group(0)
        assert 'form="case-actions"' in tag, box


def test_a_reply_typed_before_reading_the_case_is_on_the_read_page(client, units, personas,
                                                                   signed_in):
    make_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(url("intake:case_read"), {"reply-body": REPLY})
    assert response.status_code == 200
    assert REPLY in response.content.decode()
    assert not Message.objects.filter(author="staff").exists()


def test_a_note_sent_with_a_reply_typed_saves_neither_and_keeps_both(client, units,
                                                                      personas, signed_in):
    make_case(units, personas)
    signed_in(personas["officer"])
    notes, messages = Note.objects.count(), Message.objects.count()
    response = client.post(url("intake:case_note"), {"note-body": NOTE, "reply-body": REPLY})
    assert response.status_code == 409
    html = response.content.decode()
    assert REPLY in html and NOTE in html and 'role="alert"' in html
    assert Note.objects.count() == notes and Message.objects.count() == messages


def test_acknowledging_with_a_closing_reason_typed_does_not_acknowledge(client, units,
                                                                         personas, signed_in):
    complaint = make_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(url("intake:case_acknowledge"), {"close-reason": "Шийдвэрлэсэн."})
    assert response.status_code == 409 and "Шийдвэрлэсэн." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is None


def test_a_note_alone_is_added_as_before(client, units, personas, signed_in):
    make_case(units, personas)
    signed_in(personas["officer"])
    notes = Note.objects.count()
    response = client.post(url("intake:case_note"), {"note-body": NOTE, "reply-body": "  "})
    assert response.status_code == 302 and Note.objects.count() == notes + 1


def test_a_title_typed_and_not_saved_stops_the_read_button_and_comes_back(
        client, units, personas, signed_in):
    complaint = make_case(units, personas)
    signed_in(personas["officer"])
    html = client.get(url("intake:case")).content.decode()
    assert f'form="case-actions" formaction="{url("intake:case_worklist")}"' in html
    response = client.post(url("intake:case_read"), {"worklist-title": "Хээл хахууль нэхсэн"})
    assert response.status_code == 409
    assert "Хээл хахууль нэхсэн" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.title != "Хээл хахууль нэхсэн"


def test_saving_the_title_with_a_reply_typed_saves_neither(client, units, personas,
                                                           signed_in):
    complaint = make_case(units, personas)
    signed_in(personas["officer"])
    response = client.post(url("intake:case_worklist"),
                           {"worklist-title": "Шинэ гарчиг", "reply-body": REPLY})
    assert response.status_code == 409
    assert REPLY in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.title != "Шинэ гарчиг"
