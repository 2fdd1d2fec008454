"""What a referral sends: one JSON document, built once when the head approves, sealed on
disk and hashed, so that what was approved, what was sent and what the hash proves are the
same bytes however many times delivery is tried.

The package holds the complaint as the officer chose to send it: the reporter's identity
only when the officer ticked it, the chosen files, and the text with the blacked-out
phrases replaced by REDACTED. Building it decrypts the complaint, so the caller records that
reading in the audit trail.
"""

import base64
import hashlib
import json
import re

from django.utils import timezone

from intake.services import attachment_context
from vault.files import open_encrypted

FORMAT = "shugel.referral/1"
REDACTED = "[████]"
# What is read of each other complaint of the matter sent with a referral.
LINKED_FIELDS = ["body", "subject", "particulars"]


def redaction_phrases(text: str | None) -> list[str]:
    """The phrases to black out, one per line, longest first (so a phrase inside a longer
    one does not leave the rest of the longer one showing)."""
    phrases = {line.strip() for line in (text or "").splitlines() if line.strip()}
    return sorted(phrases, key=lambda phrase: (-len(phrase), phrase))


def redact(value, phrases: list[str]):
    """`value` (text, or lists and dictionaries of text) with every phrase blacked out,
    whatever its letter case."""
    if isinstance(value, str):
        for phrase in phrases:
            value = re.sub(re.escape(phrase), REDACTED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [redact(item, phrases) for item in value]
    if isinstance(value, dict):
        return {key: redact(item, phrases) for key, item in value.items()}
    return value


def _reveal(sealed):
    return None if sealed is None else sealed.reveal()


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _linked(complaints, phrases: list[str]) -> list[dict]:
    """The other complaints of the matter (routing.matters), redacted alike; never their
    reporters' identities, which stay with their own complaints."""
    return [{
        "reference": other.reference,
        "received_at": timezone.localtime(other.received_at).isoformat(),
        "channel": other.channel, "kind": other.kind,
        "body": redact(other.body.reveal(), phrases),
        "subject": redact(_reveal(other.subject), phrases),
        "particulars": redact(_reveal(other.particulars), phrases),
    } for other in complaints]


def build(referral, categories: list[str], linked=()) -> tuple[bytes, list[str]]:
    """The package of `referral` as bytes, and the names of the sealed fields it read (of
    the complaint referred, and of each of `linked`, its matter's others, alike)."""
    complaint = referral.complaint
    phrases = redaction_phrases(_reveal(referral.redactions))
    read = ["body", "subject", "particulars", "cover_letter"]
    content = {
        "body": redact(complaint.body.reveal(), phrases),
        "subject": redact(_reveal(complaint.subject), phrases),
        "particulars": redact(_reveal(complaint.particulars), phrases),
    }
    if referral.include_reporter:
        content["reporter"] = _reveal(complaint.reporter)
        read.append("reporter")
    files = []
    for attachment in referral.attachments.order_by("created_at", "pk"):
        data = b"".join(open_encrypted(attachment.stored_name, data_key=attachment.data_key,
                                       context=attachment_context(complaint)))
        files.append({
            "filename": attachment.filename.reveal(),
            "content_type": attachment.content_type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "data": base64.b64encode(data).decode("ascii"),
        })
    if files:
        read.append("filename")
    document = {
        "format": FORMAT,
        "referral": referral.reference,
        "from": {"unit": referral.unit.code, "name": referral.unit.name_mn},
        "to": {"agency": referral.agency.code, "name": referral.agency.name_mn},
        "prepared_by": _person(referral.prepared_by),
        "approved_by": _person(referral.approved_by),
        "approved_at": timezone.localtime(referral.approved_at).isoformat(),
        "cover_letter": referral.cover_letter.reveal(),
        "complaint": {
            "reference": complaint.reference,
            "received_at": timezone.localtime(complaint.received_at).isoformat(),
            "channel": complaint.channel,
            "kind": complaint.kind,
            "categories": categories,
            **content,
        },
        "redacted_phrases": len(phrases),
        "attachments": files,
    }
    if linked:
        document["same_matter"] = _linked(linked, phrases)
    data = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    return data, read
