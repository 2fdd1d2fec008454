"""No plaintext of a complaint anywhere: canaries in every encrypted field of intake (body,
subject, particulars, reporter, channel details, messages, notes, attachment names) and in
every attachment must not appear in the database files (SQLite with its WAL, or a pg_dump),
the media folder, the logs, temporary files or the task queue. Reports come in through the
web form and the tracking page as well as through the staff's services, so the whole path a
reporter's words take is covered. Each scan also finds a plain control value.
"""

import io
import itertools
import json
import logging
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.sqlite_files import migrated_copy
from tests.vault.canary import canary, contains, decoded_task_tables, forms, leaks
from tests.vault.test_canary import (
    child_environment,
    pg_dump,
    scan_folder,
    wait_for_ready,
)
from vault.keyring import Keyring

ROOT = Path(__file__).resolve().parents[2]


def read_figures(uid: str, reference: str) -> dict:
    """A background task as routing and notify will have them: it gets ids, reads content,
    returns figures, never the content itself."""
    from intake.models import Complaint

    complaint = Complaint.objects.get(uid=uid)
    body = "" if complaint.is_shredded else complaint.body.reveal()
    return {"reference": reference, "length": len(body)}


def _pdf(*texts) -> bytes:
    from tests.intake.pdf_samples import small_pdf

    return small_pdf(" ".join(texts))


def _png_with_text(text) -> bytes:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", text)
    out = io.BytesIO()
    Image.new("RGB", (12, 9), (10, 120, 200)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _jpeg_with_exif(text) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x013B] = text  # Artist
    exif[0x010E] = text  # ImageDescription
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (220, 40, 40)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def write_records(count: int, *, control: str) -> dict:
    """Complaints from every channel with canaries in every sealed field and file, half of
    them sent through the public pages; replies, notes, edits, shredding and queued tasks.
    Returns what the scans need to know."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.utils import timezone
    from django_q.tasks import async_task

    from intake.case.services import case_note_add, case_read, staff_reply_send
    from intake.models import Attachment, Channel, Complaint, Kind
    from intake.public import views as views_public
    from intake.public.forms import LOOKUP_TOKEN_SALT, new_form_token
    from intake.services import Content, Upload, phone_call_log, staff_channel_log
    from intake.uploads import clean_upload
    from org.models import Membership, Role, Unit

    views_public.LOOKUP_FLOOR_SECONDS = 0.0
    unit = Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, name_mn="Дорноговь",
                               name_en="Dornogovi", public_phone="7052-2200")
    staff = {}
    for role in (Role.CLERK, Role.OFFICER):
        staff[role] = get_user_model().objects.create_user(username=str(role), password="x" * 20)
        Membership.objects.create(user=staff[role], unit=unit, role=role)

    made, phones, receipts = [], [], []
    addresses = (f"192.0.2.{n}" for n in itertools.count(1))

    def fresh():
        made.append(canary())
        return made[-1]

    def files(client_side: bool):
        """One document, one photo and one picture, each named and filled with canaries."""
        raw = [(f"{fresh()}.pdf", _pdf(fresh(), fresh())),
               (f"{fresh()}.png", _png_with_text(fresh())),
               (f"{fresh()}.jpg", _jpeg_with_exif(fresh()))]
        uploaded = [SimpleUploadedFile(name, data) for name, data in raw]
        if client_side:
            return uploaded
        cleaned = [clean_upload(f) for f in uploaded]
        return [Upload(file=c.open(), filename=c.filename, content_type=c.content_type)
                for c in cleaned]

    for n in range(count):
        phone = f"+9769911{n:04d}"
        phones.append(phone)
        if n % 2 == 0:  # through the public pages, as a citizen would
            client = Client()
            page = client.get("/report/").content.decode()
            token = re.search(r'name="token" value="([^"]+)"', page).group(1)
            sent = client.post("/report/", {
                "token": token.replace("&#x27;", "'"), "unit": unit.pk, "kind": "complaint",
                "body": f"Үйлчилгээний танхимд {fresh()} " * 3, "where": fresh(),
                "when": fresh(), "who": fresh(), "name": fresh(),
                "phone": f"9911 {n:04d}", "email": f"{secrets.token_hex(4)}@example.mn",
                "attachments": files(client_side=True),
            }, REMOTE_ADDR=next(addresses))
            assert sent.status_code == 200, sent.content.decode()[-2000:]
            code = re.search(r'id="receipt">([\d ]+)<', sent.content.decode()).group(1)
            receipts.append(code.replace(" ", ""))
            complaint = Complaint.objects.order_by("-pk").first()
            staff_reply_send(complaint=complaint, body=fresh(), by=staff[Role.OFFICER])
            answered = client.post("/track/message/", {
                "receipt": code, "body": fresh(), "attachments": files(client_side=True)[:1],
                "token": new_form_token(LOOKUP_TOKEN_SALT),
            }, REMOTE_ADDR=next(addresses))
            assert answered.status_code == 200, answered.content.decode()[-2000:]
        elif n % 4 == 1:  # a phone call, summary read back, receipt given by voice
            logged = phone_call_log(
                unit=unit, line=control, started_at=timezone.now() - timedelta(minutes=5),
                duration_seconds=240, kind=Kind.COMPLAINT, summary_confirmed=True,
                give_receipt=True, logged_by=staff[Role.CLERK],
                content=Content(body=fresh(), subject=fresh(),
                                particulars={"where": fresh(), "who": [fresh(), fresh()]},
                                reporter={"name": fresh(), "phone": phone},
                                channel_details={"read_back": fresh()}),
            )
            receipts.append(logged.receipt)
            complaint = logged.complaint
        else:  # a letter, an email or a message on social media, with what came with it
            channel = [Channel.LETTER, Channel.EMAIL, Channel.SOCIAL][n % 3]
            complaint = staff_channel_log(
                unit=unit, channel=channel, kind=Kind.SUGGESTION,
                received_at=timezone.now() - timedelta(days=1), logged_by=staff[Role.CLERK],
                content=Content(body=fresh(), subject=fresh(), particulars={"when": fresh()},
                                reporter={"name": fresh(), "address": fresh(), "phone": phone},
                                channel_details={"sender": fresh(), "subject": fresh()}),
                uploads=files(client_side=False),
            ).complaint
        case_note_add(complaint=complaint, body=fresh(), by=staff[Role.OFFICER])
        if n % 2:  # read by the officer: the reading is audited, its content is not
            case_read(complaint=complaint, reader=staff[Role.OFFICER])
        if n % 3 == 0:  # corrected later: the old ciphertext must not linger readable either
            complaint.body = fresh()
            complaint.save()
        async_task(read_figures, str(complaint.uid), control, sync=False)
        if n % 3 == 0:
            async_task(read_figures, str(complaint.uid), control, sync=True)
    for complaint in Complaint.objects.order_by("pk")[::5]:
        complaint.shred()
    return {"canaries": made, "phones": phones, "receipts": receipts,
            "attachments": Attachment.objects.count(),
            "complaints": Complaint.objects.count()}


def secrets_found(data: bytes, report: dict) -> list[str]:
    """Phone numbers and receipt codes, in any encoding, that appear in `data`."""
    found = leaks(data)
    for value in report["phones"] + report["receipts"]:
        if any(form in data for form in forms(value)):
            found.append(value)
    return found


# --- the writer process (SQLite) ----------------------------------------------------------------

WRITER = ("import sys, django; django.setup(); "
          "from tests.intake.test_canary_intake import write_and_wait; write_and_wait(sys.argv[1])")


def write_and_wait(workdir: str) -> None:
    """The writer process: writes the records into a file-based SQLite database, reports,
    then waits on stdin with the database still open, so that the parent scans the database
    file together with its write-ahead log."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    # Every logger at its most talkative, every SQL statement and its values: the parent
    # scans what they print.
    logging.getLogger().setLevel(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    control = f"control-{secrets.token_hex(8)}"
    report = write_records(24, control=control)
    report.update(control=control, tasks=decoded_task_tables())
    (Path(workdir) / "report.json").write_text(json.dumps(report))
    print("READY", flush=True)
    sys.stdin.readline()
    connection.close()


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_no_canary_from_intake_reaches_sqlite_its_wal_media_logs_temp_files_or_tasks(
    tmp_path,
):
    (tmp_path / "db").mkdir()
    (tmp_path / "tmp").mkdir()
    Keyring.generate().save(tmp_path / "keys" / "keyring.json")
    database = migrated_copy(tmp_path / "db" / "shugel.sqlite3")  # the writer migrates it too
    wal = database.with_name(database.name + "-wal")
    log = tmp_path / "writer.log"
    env = {**child_environment(tmp_path), "TMPDIR": str(tmp_path / "tmp")}
    with open(log, "wb") as log_file:
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file,
        )
        try:
            wait_for_ready(child, log, seconds=300)
            assert wal.exists() and wal.stat().st_size > 0
            while_open = {path.name: path.read_bytes() for path in database.parent.iterdir()}
        finally:
            child.communicate(b"\n", timeout=60)
    assert child.returncode == 0, log.read_text()[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    control = report["control"]
    assert report["complaints"] == 24 and len(report["canaries"]) >= 24 * 10

    for name, data in while_open.items():
        assert secrets_found(data, report) == [], name
    assert contains(while_open[database.name] + while_open[wal.name], control)
    after_close = database.read_bytes()
    assert secrets_found(after_close, report) == []
    assert contains(after_close, control)

    files, found = scan_folder(tmp_path / "media")
    assert files == report["attachments"] >= 24 * 2
    assert found == []

    temporary = [p for p in (tmp_path / "tmp").rglob("*") if p.is_file()]
    assert [p for p in temporary if secrets_found(p.read_bytes(), report)] == []

    logged = log.read_bytes()
    assert secrets_found(logged, report) == []
    assert contains(logged, control), "the SQL log is on, so the plain control shows"
    assert b"/track/message/" in logged or b"INSERT INTO" in logged

    tasks = report["tasks"]
    # At least the test's own results: the notifications of each complaint queue a send too.
    assert tasks["queued"] == 24 and tasks["results"] >= 8
    assert secrets_found(tasks["text"].encode(), report) == []
    assert control in tasks["text"]


@pytest.mark.django_db(transaction=True)
def test_no_canary_from_intake_reaches_a_postgresql_dump_media_logs_or_tasks(
    settings, tmp_path, caplog
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does) to scan a pg_dump"
        )
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    control = f"control-{secrets.token_hex(8)}"
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    with CaptureQueriesContext(connection):
        report = write_records(12, control=control)
        tasks = decoded_task_tables()
    cache.clear()
    assert len(report["canaries"]) >= 12 * 10

    dump = pg_dump(connection.settings_dict)
    assert secrets_found(dump, report) == []
    assert contains(dump, control)

    files, found = scan_folder(tmp_path / "media")
    assert files == report["attachments"] >= 12 * 2
    assert found == []

    logged = caplog.text.encode()
    assert secrets_found(logged, report) == []
    assert contains(logged, control)

    assert tasks["queued"] == 12 and tasks["results"] >= 4
    assert secrets_found(tasks["text"].encode(), report) == []
    assert control in tasks["text"]

