"""The agency's signed callback: a good signature records the answer once; anything else is
refused and changes nothing; what the agency wrote never reaches the logs or the audit."""

import json
import logging
import time

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import verify_chain
from outbox import signing
from routing.agency_api.views import MAX_BODY_BYTES
from routing.models import AgencyAnswer, Referral, ReferralState
from tests.intake.pages_case import NOW, make_case
from tests.routing.helpers import approved_referral, make_agency, prepare

pytestmark = pytest.mark.django_db

SECRET = "agency-callback-secret"
CANARY = "Канарейка-хариу-55443322"


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def agency(db):
    return make_agency(secret=SECRET)


@pytest.fixture
def referral(units, personas, agency) -> Referral:
    case = make_case(units, personas)
    return approved_referral(case, personas["officer"], personas["head"], agency)


def _post(client, payload, *, secret=SECRET, agency_code="atg", timestamp=None,
          headers=None):
    body = payload if isinstance(payload, bytes) else json.dumps(
        payload, ensure_ascii=False).encode()
    signed = signing.sign(secret, body, now=timestamp)
    return client.post(reverse("agency_api:answers", kwargs={"agency_code": agency_code}),
                       data=body, content_type="application/json",
                       headers=signed if headers is None else headers)


def _ack(referral, **fields):
    return {"event_id": "evt-1", "idempotency_key": str(referral.outbox.key),
            "kind": "acknowledgement", "agency_reference": "АТГ-2026/0042",
            "status": "Хүлээн авсан", **fields}


def _snapshot(referral):
    referral.refresh_from_db()
    return (referral.state, referral.agency_reference, AgencyAnswer.objects.count(),
            AuditEvent.objects.count())


def test_a_signed_acknowledgement_is_recorded(client, referral):
    response = _post(client, _ack(referral, text=f"Бүртгэв. {CANARY}"))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "duplicate": False}
    assert not response.cookies
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACKNOWLEDGED
    assert referral.agency_reference == "АТГ-2026/0042"
    answer = referral.answers.get()
    assert answer.via == AgencyAnswer.Via.CALLBACK and answer.entered_by is None
    assert answer.text.reveal() == f"Бүртгэв. {CANARY}"
    assert answer.answered_on == NOW.date()
    assert verify_chain().ok


def test_the_referral_may_be_named_by_its_number(client, referral):
    payload = {"event_id": "evt-9", "referral": referral.reference, "kind": "outcome",
               "answered_on": "2026-03-19", "status": "Шийдвэрлэсэн"}
    assert _post(client, payload).status_code == 200
    referral.refresh_from_db()
    assert referral.state == ReferralState.CONCLUDED
    assert referral.agency_status == "Шийдвэрлэсэн"


def test_a_repeated_event_is_kept_once(client, referral):
    assert _post(client, _ack(referral)).json()["duplicate"] is False
    again = _post(client, _ack(referral))
    assert again.status_code == 200 and again.json() == {"ok": True, "duplicate": True}
    assert referral.answers.count() == 1
    assert AuditEvent.objects.filter(action="referral.answer").count() == 1


@pytest.mark.parametrize("tamper", ["body", "secret", "unsigned", "stale", "future",
                                    "garbage"])
def test_a_bad_signature_is_refused_and_changes_nothing(client, referral, tamper):
    before = _snapshot(referral)
    payload = _ack(referral)
    body = json.dumps(payload).encode()
    headers = signing.sign(SECRET, body)
    if tamper == "body":
        body = json.dumps({**payload, "kind": "outcome"}).encode()
    elif tamper == "secret":
        headers = signing.sign("someone-else", body)
    elif tamper == "unsigned":
        headers = {}
    elif tamper == "stale":
        headers = signing.sign(SECRET, body, now=time.time() - 301)
    elif tamper == "future":
        headers = signing.sign(SECRET, body, now=time.time() + 301)
    else:
        headers = {signing.TIMESTAMP_HEADER: "yesterday", signing.SIGNATURE_HEADER: "v1=zz"}
    response = _post(client, body, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error": "signature"}
    assert _snapshot(referral) == before


def test_an_unknown_agency_looks_like_a_bad_signature(client, referral):
    unknown = _post(client, _ack(referral), agency_code="nobody")
    wrong = _post(client, _ack(referral), secret="nope")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.content == wrong.content


def test_an_agency_cannot_answer_another_agencys_referral(client, referral):
    make_agency("police", secret="police-secret", default=False)
    before = _snapshot(referral)
    response = _post(client, _ack(referral), secret="police-secret", agency_code="police")
    assert response.status_code == 404
    by_number = {"event_id": "e", "referral": referral.reference, "kind": "outcome"}
    assert _post(client, by_number, secret="police-secret",
                 agency_code="police").status_code == 404
    assert _snapshot(referral) == before


@pytest.mark.parametrize("payload", [
    b"{not json", b"[1, 2]", b"\xff\xfe", b"[" * 5000 + b"]" * 5000,
    {"idempotency_key": "x", "kind": "acknowledgement"},
    {"event_id": "", "referral": "x", "kind": "acknowledgement"},
    {"event_id": "e", "kind": "acknowledgement"},
    {"event_id": "e", "idempotency_key": "not-a-uuid", "kind": "acknowledgement"},
    {"event_id": "e", "referral": "DG-2026-00001-R1", "kind": "praise"},
    {"event_id": "e", "referral": "DG-2026-00001-R1", "kind": "status", "answered_on": "3/19"},
    {"event_id": "e", "referral": "DG-2026-00001-R1", "kind": "status", "text": 42},
    {"event_id": "e" * 101, "referral": "DG-2026-00001-R1", "kind": "status"},
])
def test_malformed_answers_are_refused(client, referral, payload):
    before = _snapshot(referral)
    response = _post(client, payload)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert _snapshot(referral) == before


def test_an_answer_dated_in_the_future_is_refused(client, referral):
    response = _post(client, _ack(referral, answered_on="2026-04-01"))
    assert response.status_code == 400
    assert referral.answers.count() == 0


def test_an_oversized_body_is_refused(client, referral):
    before = _snapshot(referral)
    response = _post(client, _ack(referral, text="ж" * MAX_BODY_BYTES))
    assert response.status_code == 413
    assert _snapshot(referral) == before


def test_an_unknown_referral_is_not_found(client, referral):
    import uuid

    response = _post(client, _ack(referral, idempotency_key=str(uuid.uuid4())))
    assert response.status_code == 404
    assert _post(client, {"event_id": "e", "referral": "DG-2026-09999-R1",
                          "kind": "status"}).status_code == 404


def test_a_referral_not_yet_approved_cannot_be_answered(client, units, personas, agency):
    case = make_case(units, personas)
    prepared = prepare(case, personas["officer"], agency)
    response = _post(client, {"event_id": "e", "referral": prepared.reference,
                              "kind": "acknowledgement"})
    assert response.status_code == 409
    assert prepared.answers.count() == 0


def test_only_post_is_taken(client, referral):
    url = reverse("agency_api:answers", kwargs={"agency_code": "atg"})
    assert client.get(url).status_code == 405


def test_what_the_agency_wrote_stays_out_of_logs_and_the_audit(client, referral, caplog):
    caplog.set_level(logging.DEBUG)
    ok = _post(client, _ack(referral, text=f"Шалгаж байна. {CANARY}", status="Шалгаж байна"))
    refused = _post(client, _ack(referral, text=CANARY), secret="wrong")
    malformed = _post(client, {"event_id": CANARY, "kind": CANARY, "text": CANARY})
    assert (ok.status_code, refused.status_code, malformed.status_code) == (200, 401, 400)
    assert CANARY not in caplog.text
    for event in AuditEvent.objects.all():
        assert CANARY not in json.dumps([event.action, event.object_id, event.details],
                                        ensure_ascii=False)
