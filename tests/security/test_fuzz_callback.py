"""The agency callback, fed hostile requests: random bodies, headers, signatures, timestamps
and agency codes, replays, bodies too large or lying about their length. It never fails
with a server error, and nothing that is not correctly signed changes anything. Correctly
signed but random payloads are refused or recorded, never a 5xx.
"""

import json
import time

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from outbox import signing
from routing.agency_api.views import MAX_BODY_BYTES
from routing.models import Referral
from tests.intake.pages_case import NOW, make_case
from tests.routing.helpers import approved_referral, make_agency
from tests.security.fuzz import SHORT_TEXT as TEXT
from tests.security.fuzz import fuzz_settings
from tests.security.helpers import rolled_back, states

pytestmark = pytest.mark.django_db

SECRET = "agency-callback-secret"
EXAMPLES = 40


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def referral(units, personas) -> Referral:
    agency = make_agency(secret=SECRET)
    make_agency("police", secret="police-secret", kind="police", default=False,
                name_mn="Цагдаагийн газар", name_en="Police")
    case = make_case(units, personas)
    return approved_referral(case, personas["officer"], personas["head"], agency)


def _post(client, body: bytes, headers: dict, agency_code="atg", **extra):
    return client.post(reverse("agency_api:answers", kwargs={"agency_code": agency_code}),
                       data=body, content_type="application/json", headers=headers, **extra)


def _attempt(client, body, headers, agency_code="atg", **extra):
    with rolled_back():
        before = states()
        response = _post(client, body, headers, agency_code, **extra)
        after = states()
    return response, before, after


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=10,
)
BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.sampled_from([b"", b"{", b"[]", b"null", b"{}" * 10, b"\xff\xfe\x00", b"[" * 5000,
                     b'{"a":' * 3000 + b"1" + b"}" * 3000]),
)
HEADER_TEXT = st.one_of(
    st.none(), TEXT, st.integers(min_value=-10**15, max_value=10**15).map(str),
    st.sampled_from(["v1=", "v1=zz", "v2=" + "0" * 64, "v1=" + "0" * 64, ",,,", "=",
                     "1774000000", "０１２３", "1e9", " 1774000000 "]),
)


def test_unsigned_and_badly_signed_requests_change_nothing(client, referral):
    @fuzz_settings(EXAMPLES)
    @given(body=BODIES, timestamp=HEADER_TEXT, signature=HEADER_TEXT,
           agency_code=st.sampled_from(["atg", "police", "nobody", "a" * 60, "x-y_z"]),
           sign_with=st.sampled_from([None, "wrong-secret", "police-secret"]),
           skew=st.sampled_from([0, 301, -301, 10**6]))
    def attempt(body, timestamp, signature, agency_code, sign_with, skew):
        headers = {}
        if sign_with is not None:
            # Signed, but with a key that is not this agency's, or at the wrong time, or
            # for another agency's code.
            headers = signing.sign(sign_with, body, now=time.time() + skew)
            if sign_with == "police-secret" and skew == 0:
                agency_code = "atg"
        if timestamp is not None:
            headers[signing.TIMESTAMP_HEADER] = timestamp
        if signature is not None:
            headers[signing.SIGNATURE_HEADER] = signature
        response, before, after = _attempt(client, body, headers, agency_code)
        assert response.status_code in (400, 401, 413), (response.status_code, headers)
        assert before == after
        assert response.json()["ok"] is False

    attempt()


def _payload(referral):
    return st.fixed_dictionaries(
        {},
        optional={
            "event_id": st.one_of(TEXT, st.integers(), st.just("evt-1")),
            "idempotency_key": st.one_of(TEXT, st.just(str(referral.outbox.key)),
                                         st.uuids().map(str), st.integers()),
            "referral": st.one_of(TEXT, st.just(referral.reference), st.none()),
            "kind": st.one_of(TEXT, st.sampled_from(["acknowledgement", "reference",
                                                     "status", "outcome", "ACK"])),
            "answered_on": st.one_of(TEXT, st.dates().map(str), st.integers(), st.none()),
            "agency_reference": st.one_of(TEXT, st.just("АТГ-2026/0042"), st.integers()),
            "status": JSON_VALUES,
            "text": st.one_of(TEXT, st.lists(TEXT, max_size=2)),
        },
    )


def test_signed_random_payloads_are_refused_or_recorded_never_a_server_error(
    client, referral
):
    @fuzz_settings(EXAMPLES)
    @given(data=st.data())
    def attempt(data):
        payload = data.draw(st.one_of(_payload(referral), JSON_VALUES))
        body = json.dumps(payload, ensure_ascii=data.draw(st.booleans())).encode()
        response, before, after = _attempt(client, body, signing.sign(SECRET, body))
        assert response.status_code in (200, 400, 404, 409, 413), response.status_code
        if response.status_code == 200:
            assert response.json()["ok"] is True
        else:
            assert before == after, payload
            assert response.json()["ok"] is False

    attempt()


def test_a_replay_changes_nothing_and_a_reused_signature_is_refused(client, referral):
    body = json.dumps({"event_id": "evt-1", "idempotency_key": str(referral.outbox.key),
                       "kind": "acknowledgement", "agency_reference": "АТГ-2026/0042"}
                      ).encode()
    headers = signing.sign(SECRET, body)
    assert _post(client, body, headers).json() == {"ok": True, "duplicate": False}
    response, before, after = _attempt(client, body, headers)
    assert response.json() == {"ok": True, "duplicate": True}
    assert before == after
    # The same signature over another body, or with the timestamp moved, is refused.
    other = body.replace(b"acknowledgement", b"outcome")
    for tampered_body, tampered in (
        (other, headers),
        (body, {**headers, signing.TIMESTAMP_HEADER: str(int(time.time()) + 1)}),
    ):
        response, before, after = _attempt(client, tampered_body, tampered)
        assert response.status_code == 401
        assert before == after
    # Replayed once its timestamp is too old: refused.
    with time_machine.travel(time.time() + 400, tick=False):
        response, before, after = _attempt(client, body, headers)
    assert response.status_code == 401 and before == after


def test_huge_and_lying_bodies_are_refused_before_anything_is_read(client, referral):
    huge = b'{"event_id": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    cases = [
        (huge, signing.sign(SECRET, huge), None),
        (b"{}", signing.sign(SECRET, b"{}"), str(MAX_BODY_BYTES * 100)),
        (b"{}", signing.sign(SECRET, b"{}"), "not-a-number"),
        (b"{}", signing.sign(SECRET, b"{}"), "-5"),
    ]
    for body, headers, length in cases:
        extra = {"CONTENT_LENGTH": length} if length is not None else {}
        response, before, after = _attempt(client, body, headers, **extra)
        assert response.status_code in (400, 401, 413), (length, response.status_code)
        assert before == after
