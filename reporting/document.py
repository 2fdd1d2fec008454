"""A monthly report as one canonical document: the figures, the narrative and who signed
it, serialised the same way every time, so its SHA-256 proves what was approved. The
package an agency receives is that document and its hash; the exports (reporting.exports)
are renderings of it.
"""

import hashlib
import json

from django.utils import timezone

from org.models import Membership

FORMAT = "shugel.monthly_report/1"


def _dump(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def figures_hash(figures: dict) -> str:
    return hashlib.sha256(_dump(figures)).hexdigest()


def signatory(user, unit) -> dict | None:
    """A signature block: the person's name and their position in the unit."""
    if user is None:
        return None
    position = (Membership.objects.filter(user=user, unit=unit).exclude(position="")
                .values_list("position", flat=True).first()) or ""
    name = " ".join(part for part in (user.last_name, user.first_name) if part)
    return {"name": name or user.get_username(), "position": position}


def _moment(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def content(report) -> dict:
    """Everything the document states. Reads the sealed narrative; callers that show or
    send it are acting for someone allowed to read the report."""
    unit = report.unit
    return {
        "format": FORMAT,
        "report": report.reference,
        "version": report.version,
        "supersedes": report.supersedes.reference if report.supersedes_id else None,
        "correction_reason": report.correction_reason,
        "unit": {"code": unit.code, "name_mn": unit.name_mn, "name_en": unit.name_en,
                 "place_mn": unit.place_mn, "place_en": unit.place_en},
        "month": report.month,
        "state": report.state,
        "figures": report.figures,
        "figures_at": _moment(report.figures_at),
        "narrative": report.narrative.reveal() if report.narrative is not None else "",
        "prepared_by": signatory(report.prepared_by, unit),
        "prepared_at": _moment(report.prepared_at),
        "approved_by": signatory(report.approved_by, unit),
        "approved_at": _moment(report.approved_at),
    }


def canonical(report) -> bytes:
    """The bytes whose SHA-256 is the report's document hash."""
    return _dump(content(report))


def package(report) -> bytes:
    """What the agencies receive: the document and its hash."""
    body = content(report)
    return json.dumps({"format": FORMAT, "report": report.reference,
                       "document_sha256": hashlib.sha256(_dump(body)).hexdigest(),
                       "document": body},
                      ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
