"""Triage and referral read the matter: one decision is recorded on the linked complaints by
one button, and one referral carries every linked complaint's content, never another
reporter's identity, and never a complaint the approver is recused from."""

import hashlib
import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from intake.matters import complaints_link
from intake.models import Channel, Kind, Recusal
from intake.services import Content, staff_channel_log
from outbox.models import Outbox
from outbox.services import package_context
from routing.models import Referral
from tests.intake.pages_case import NOW
from tests.routing.helpers import approved_referral, make_agency, triage
from vault.files import open_encrypted

pytestmark = pytest.mark.django_db

FIRST = "Ажилтан иргэний үнэмлэх олгохдоо 150 мянган төгрөг нэхсэн. Дансаар авсан."
SECOND = "Иргэн утсаар мэдэгдэв: ажилтан 150 мянга нэхсэн, дансаар авсан гэнэ."


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


def logged(units, personas, body, reporter=None):
    return staff_channel_log(
        unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
        received_at=timezone.now() - timedelta(days=1), logged_by=personas["clerk"],
        content=Content(body=body, reporter=reporter)).complaint


@pytest.fixture
def matter(units, personas):
    first = logged(units, personas, FIRST)
    second = logged(units, personas, SECOND, reporter={"name": "Нэргүй Дорж",
                                                      "phone": "+97699001122"})
    complaints_link(complaint=first, other=second, by=personas["officer"])
    return first, second


def _package(referral) -> dict:
    outbox = Outbox.objects.of(Referral.OUTBOX_KIND, referral.pk).get()
    data = b"".join(open_encrypted(outbox.package_name, data_key=outbox.data_key,
                                   context=package_context(referral.reference)))
    assert hashlib.sha256(data).hexdigest() == outbox.package_sha256
    return json.loads(data)


def test_one_button_records_the_decision_on_the_linked_complaints(client, matter, personas,
                                                                 signed_in):
    first, second = matter
    triage(first, personas["officer"], ("bribery",))
    signed_in(personas["officer"])
    url = reverse("intake:case", kwargs={"unit_code": "DG", "reference": first.reference})
    page = client.get(url).content.decode()
    assert second.reference in page
    apply = reverse("routing:triage_matter", kwargs={"unit_code": "DG",
                                                     "reference": first.reference})
    assert f'formaction="{apply}"' in page
    assert client.post(apply).status_code == 302
    decision = second.triage_decisions.current().get()
    assert decision.corruption_related
    assert [c.code for c in decision.categories.all()] == ["bribery"]
    assert AuditEvent.objects.filter(action="complaint.triaged").count() == 2
    # Nothing left to apply: refused with a reason, nothing recorded.
    assert client.post(apply).status_code == 409
    assert AuditEvent.objects.filter(action="complaint.triaged").count() == 2


def test_the_referral_carries_the_linked_complaints_content_but_not_their_reporters(
        matter, personas):
    first, second = matter
    referral = approved_referral(first, personas["officer"], personas["head"], make_agency())
    sent = _package(referral)
    assert [item["reference"] for item in sent["same_matter"]] == [second.reference]
    assert sent["same_matter"][0]["body"] == SECOND
    text = json.dumps(sent, ensure_ascii=False)
    assert "Нэргүй Дорж" not in text and "99001122" not in text
    read = AuditEvent.objects.filter(action="content.read", object_id=str(second.pk))
    assert read.count() == 1


def test_a_complaint_the_approver_is_recused_from_is_not_sent_or_acted_on(matter, personas):
    first, second = matter
    Recusal.objects.create(complaint=second, user=personas["head"])
    referral = approved_referral(first, personas["officer"], personas["head"], make_agency())
    assert "same_matter" not in _package(referral)
