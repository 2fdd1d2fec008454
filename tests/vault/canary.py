"""Canaries for the leak tests: every encrypted field and attachment gets a random string
that carries one marker, and the marker is then searched for wherever data can land.

The marker is searched for as UTF-8, UTF-16, JSON-escaped, hex (PostgreSQL dumps bytea as
hex) and base64 at each of its three alignments, so a plaintext copy is found however it was
encoded. A control value sits in a plain (unencrypted) column, to prove that each scan does
see what is stored.
"""

import base64
import io
import json
import secrets

from django.conf import settings

from vault.blind import blind_index
from vault.keyring import load_keyring, reload_keyring
from vault.models import DataKey
from vault.rotation import rewrap_data_keys

MARKER = "канарей-Өү-"


def canary() -> str:
    return f"{MARKER}{secrets.token_hex(10)}"


def forms(text: str) -> list[bytes]:
    raw = text.encode()
    found = [
        raw,
        text.encode("utf-16-le"),
        json.dumps(text).encode()[1:-1],
        raw.hex().encode(),
        raw.hex().upper().encode(),
    ]
    for offset in range(3):
        # The first and last four characters depend on the neighbouring bytes.
        found.append(base64.b64encode(bytes(offset) + raw)[4:-4])
    return found


MARKER_FORMS = forms(MARKER)


def leaks(data: bytes) -> list[str]:
    """Each place in `data` where the marker appears, with a little context."""
    found = []
    for form in MARKER_FORMS:
        at = data.find(form)
        if at >= 0:
            found.append(repr(data[max(0, at - 40) : at + len(form) + 40]))
    return found


def contains(data: bytes, text: str) -> bool:
    return any(form in data for form in forms(text))


def read_complaint(uid: str, reference: str) -> dict:
    """A background task as intake will have them: it gets ids, reads content, returns
    figures, never the content itself."""
    from tests.vault.sealed_app.models import Complaint

    complaint = Complaint.objects.get(uid=uid)
    return {"reference": reference, "length": len(complaint.body.reveal())}


def write_records(count: int, *, control: str) -> dict:
    """Complaints with every encrypted field, messages and attachments holding canaries;
    some are edited, deleted or shredded; tasks are queued about each; then the wrap key is
    rotated. Returns what the scans need to know."""
    from django_q.tasks import async_task

    from tests.vault.sealed_app.models import Attachment, Complaint
    from vault.files import save_encrypted

    made = []

    def fresh():
        made.append(canary())
        return made[-1]

    for n in range(count):
        name = fresh()
        complaint = Complaint(
            reference=f"{control}-{n}", data_key=DataKey.objects.create_fresh(),
            body=f"Үйлчилгээний танхимд: {fresh()} " * 3, summary=fresh(),
            details={"note": fresh(), "items": [fresh(), {"deep": fresh()}]},
            reporter_name=name, name_index=blind_index("name", name),
            reporter_phone=fresh(), phone_index=blind_index("phone", f"9911{n:04}"),
        )
        complaint.save()
        messages = [
            complaint.messages.create(data_key=complaint.data_key, text=fresh()) for _ in range(2)
        ]
        attachment = Attachment(
            complaint=complaint, data_key=complaint.data_key, filename=f"{fresh()}.pdf",
            content_type="application/pdf", size=0, stored_name="", sha256="",
        )
        content = f"{fresh()}\n".encode() * (n * 100 + 1)
        stored = save_encrypted(
            io.BytesIO(content), data_key=complaint.data_key, context=attachment.file_context
        )
        attachment.stored_name, attachment.size, attachment.sha256 = (
            stored.name, stored.size, stored.sha256
        )
        attachment.save()
        if n % 4 == 0:
            complaint.body = fresh()
            complaint.save()
        if n % 5 == 0:
            messages[0].delete()
        async_task(read_complaint, str(complaint.uid), complaint.reference, sync=False)
        if n % 3 == 0:
            async_task(read_complaint, str(complaint.uid), complaint.reference, sync=True)
    Complaint.objects.order_by("id").first().shred()

    ring = load_keyring()
    ring.add_version("wrap")
    ring.save(settings.KEYRING_PATH)
    reload_keyring()
    rewrapped = rewrap_data_keys(batch_size=7)
    return {"canaries": made, "attachments": Attachment.objects.count(), "rewrapped": rewrapped}


def decoded_task_tables() -> dict:
    """The django-q2 queue and result tables, decoded (their payloads are signed, pickled
    and base64-encoded, so the raw bytes alone would hide a leak)."""
    from django_q.models import OrmQ, Task
    from django_q.signing import SignedPackage

    queued = [repr(SignedPackage.loads(row.payload)) for row in OrmQ.objects.all()]
    results = [
        repr((task.name, task.func, task.args, task.kwargs, task.result))
        for task in Task.objects.all()
    ]
    return {"queued": len(queued), "results": len(results), "text": "\n".join(queued + results)}
