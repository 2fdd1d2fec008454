"""The agency's signed callback: how an agency acknowledges a referral, gives its reference
number, and reports status and outcome.

    POST /api/agency/<agency code>/answers/
    X-Shugel-Timestamp, X-Shugel-Signature (outbox.signing, with the agency's API secret)
    {"event_id": "…", "idempotency_key": "<outbox key>" or "referral": "<referral number>",
     "kind": "acknowledgement", "answered_on": "2026-03-20",
     "agency_reference": "…", "status": "…", "text": "…"}

The signature is checked before the body is even parsed, and an unknown agency gets the same
401 as a wrong signature, so the endpoint does not tell who is registered. No session, no
cookies. Nothing of the body is logged: the text may repeat what the reporter said.
"""

import json
import logging
import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outbox import signing
from outbox.models import Agency, Outbox
from routing.models import AgencyAnswer, Referral
from routing.services import answer_record

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# Compared against when the agency is unknown, so that both cases take the same time.
_NO_SECRET = uuid.uuid4().hex


class Malformed(Exception):
    pass


def _refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error}, status=status)


def _text(payload: dict, name: str, limit: int, *, required: bool = False) -> str:
    value = payload.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise Malformed(name)
    return value.strip()


def _answered_on(payload: dict) -> date:
    value = payload.get("answered_on")
    if value is None:
        return timezone.localdate()
    if not isinstance(value, str) or len(value) != 10:
        raise Malformed("answered_on")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Malformed("answered_on")


def _referral(payload: dict, agency: Agency) -> Referral | None:
    key, reference = payload.get("idempotency_key"), payload.get("referral")
    if key is not None:
        try:
            key = uuid.UUID(str(key))
        except ValueError:
            raise Malformed("idempotency_key")
        sent = Outbox.objects.filter(key=key, agency=agency, subject_kind=Referral.OUTBOX_KIND)
        return Referral.objects.filter(pk__in=sent.values("subject_id")).first()
    if isinstance(reference, str) and reference.strip():
        return Referral.objects.filter(reference=reference.strip(), agency=agency).first()
    raise Malformed("referral")


def _agency_and_secret(code: str) -> tuple[Agency | None, str]:
    agency = Agency.objects.filter(code=code, active=True).first()
    secret = agency.api_secret.reveal() if agency and agency.api_secret is not None else ""
    return (agency, secret) if secret else (None, _NO_SECRET)


@csrf_exempt
@require_POST
def answers(request, agency_code: str):
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _refuse(400, "malformed")
    if declared > MAX_BODY_BYTES:
        return _refuse(413, "too large")
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return _refuse(413, "too large")

    agency, secret = _agency_and_secret(agency_code)
    try:
        signing.verify(secret, body, timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
                       signature=request.headers.get(signing.SIGNATURE_HEADER))
        if agency is None:
            raise signing.SignatureError("unknown agency")
    except signing.SignatureError as error:
        logger.warning("agency callback refused: %s", error)
        return _refuse(401, "signature")

    try:
        payload = json.loads(body.decode("utf-8"))
        if not isinstance(payload, dict):
            raise Malformed("not an object")
        event_id = _text(payload, "event_id", 100, required=True)
        kind = _text(payload, "kind", 20, required=True)
        if kind not in AgencyAnswer.Kind.values:
            raise Malformed("kind")
        fields = {
            "answered_on": _answered_on(payload),
            "agency_reference": _text(payload, "agency_reference", 64),
            "status": _text(payload, "status", 200),
            "text": _text(payload, "text", 20000),
        }
        referral = _referral(payload, agency)
    except (ValueError, RecursionError, Malformed) as error:
        # The field's name only (json's own message quotes the body).
        logger.warning("agency %s callback malformed: %s", agency.code,
                       error if isinstance(error, Malformed) else "not JSON")
        return _refuse(400, "malformed")
    if referral is None:
        return _refuse(404, "unknown referral")

    try:
        _answer, new = answer_record(referral=referral, by=None, event_id=event_id, kind=kind,
                                     **fields)
    except ValidationError as error:
        code = getattr(error, "code", None)
        logger.warning("agency %s callback on %s refused: %s", agency.code, referral.reference,
                       code)
        return _refuse(409, "state") if code == "state" else _refuse(400, code or "invalid")
    logger.info("agency %s answered %s (%s%s)", agency.code, referral.reference, kind,
                "" if new else ", repeated")
    return JsonResponse({"ok": True, "duplicate": not new})
