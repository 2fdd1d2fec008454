"""Records for the backup tests and the restore drill, made through the real workflows:
complaints from several channels with canaries in every sealed field and file, reporter
and staff messages, notes, a referral approved as a letter (a sealed package on disk), one
complaint shredded and one audit checkpoint. Also runs in a child process (the drill):

    python -c "import django; django.setup(); from tests.ops.records import main; main()" \
        write|read FILE
"""

import io
import json
import sys
from datetime import timedelta

from tests.vault.canary import canary

PASSWORD = "correct horse battery staple"


def _pdf(*texts) -> bytes:
    return b"%PDF-1.4\n" + "".join(f"% {text}\n" for text in texts).encode() + b"%%EOF\n"


def write_records(count: int = 4) -> dict:
    """Returns the canaries, a plain control value and what each complaint should read as."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from audit.services import make_checkpoint
    from intake.case.services import case_note_add, staff_reply_send
    from intake.models import Channel, Complaint, Kind
    from intake.services import (
        Content,
        Upload,
        phone_call_log,
        reporter_message_send,
        staff_channel_log,
        web_report_submit,
    )
    from org.models import Membership, Role, Unit
    from outbox.models import Agency
    from tests.routing.helpers import approved_referral, make_agency

    unit = Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, name_mn="Дорноговь",
                               name_en="Dornogovi", public_phone="7052-2200")
    staff = {}
    for role in (Role.CLERK, Role.OFFICER, Role.HEAD):
        staff[role] = get_user_model().objects.create_user(username=str(role), password=PASSWORD)
        Membership.objects.create(user=staff[role], unit=unit, role=role)
    agency = make_agency("atg", delivery=Agency.Delivery.LETTER,
                         postal_address="Улаанбаатар, Чингэлтэй дүүрэг")
    control = f"control-{secrets.token_hex(8)}"
    made, bodies = [], {}

    def fresh():
        made.append(canary())
        return made[-1]

    def files():
        return [Upload(file=io.BytesIO(_pdf(fresh(), fresh())), filename=f"{fresh()}.pdf",
                       content_type="application/pdf")]

    complaints = []
    for n in range(count):
        body = f"Үйлчилгээний танхимд {fresh()}"
        content = Content(body=body, subject=fresh(), particulars={"where": fresh()},
                          reporter={"name": fresh(), "phone": f"+9769911{n:04d}"},
                          channel_details={"note": fresh()})
        if n % 3 == 0:
            logged = web_report_submit(unit=unit, kind=Kind.COMPLAINT, content=content,
                                       submission_token=secrets.token_hex(16), language="mn",
                                       uploads=files())
            reporter_message_send(complaint=logged.complaint, body=fresh(), uploads=files())
        elif n % 3 == 1:
            logged = phone_call_log(
                unit=unit, line=control, started_at=timezone.now() - timedelta(minutes=5),
                duration_seconds=120, kind=Kind.COMPLAINT, content=content,
                summary_confirmed=True, give_receipt=True, logged_by=staff[Role.CLERK],
            )
        else:
            logged = staff_channel_log(
                unit=unit, channel=Channel.LETTER, kind=Kind.COMPLAINT,
                received_at=timezone.now() - timedelta(days=1), content=content,
                logged_by=staff[Role.CLERK], uploads=files(),
            )
        complaint = logged.complaint
        staff_reply_send(complaint=complaint, body=fresh(), by=staff[Role.OFFICER])
        case_note_add(complaint=complaint, body=fresh(), by=staff[Role.OFFICER])
        bodies[complaint.reference] = body
        complaints.append(complaint)

    referred = complaints[0]
    approved_referral(referred, staff[Role.OFFICER], staff[Role.HEAD], agency,
                      cover_letter=f"Хүндэт АТГ, {fresh()}",
                      attachments=list(referred.attachments.all()))
    shredded = complaints[-1]
    shredded.shred()
    del bodies[shredded.reference]
    make_checkpoint()
    return {"canaries": made, "control": control, "bodies": bodies,
            "shredded": shredded.reference, "complaints": Complaint.objects.count()}


def read_records() -> dict:
    """Each complaint's body as it decrypts, each attachment's check, and what could not be
    read: {reference: body}, {"files": n}, {"unreadable": [...]}."""
    import hashlib

    from intake.models import Attachment, Complaint
    from intake.services import attachment_context
    from vault.errors import VaultError
    from vault.files import open_encrypted

    bodies, unreadable, files = {}, [], 0
    for complaint in Complaint.objects.select_related("data_key").order_by("pk"):
        if complaint.is_shredded:
            continue
        try:
            bodies[complaint.reference] = complaint.body.reveal()
            for message in complaint.messages.all():
                message.body.reveal()
        except VaultError as error:
            unreadable.append(f"{complaint.reference}: {type(error).__name__}")
    for attachment in Attachment.objects.select_related("data_key", "complaint"):
        if attachment.data_key.is_shredded:
            continue
        try:
            data = b"".join(open_encrypted(attachment.stored_name, data_key=attachment.data_key,
                                           context=attachment_context(attachment.complaint)))
            assert hashlib.sha256(data).hexdigest() == attachment.sha256
            files += 1
        except VaultError as error:
            unreadable.append(f"attachment {attachment.pk}: {type(error).__name__}")
    return {"bodies": bodies, "files": files, "unreadable": unreadable}


def main() -> None:
    """`write FILE` or `read FILE`: do it and put the result in FILE as JSON."""
    action, path = sys.argv[1], sys.argv[2]
    result = write_records() if action == "write" else read_records()
    with open(path, "w") as handle:
        json.dump(result, handle, ensure_ascii=False)
