"""Crash test: referrals are delivered while the workers delivering them are killed (SIGKILL)
again and again, and the agency fails a third of its calls. In the end every referral is
delivered, the agency holds exactly one delivery per idempotency key, and the audit trail has
one delivery event per referral. One agency refuses outright: its referral ends a dead letter
and the head gets an alert, once: notify's outbox row is written with the dead letter, and
sent by notify's task.

The workers are separate processes (`manage.py shell -c` running outbox.tasks.deliver_due
in a loop, as the schedule does every minute), so they share a database of their own with
this test: a SQLite file, or on PostgreSQL a database named after DATABASE_URL's with
`_crash` appended. They run as SHUGEL_ENV=development (the test settings would run tasks
synchronously) with short back-off and lease times.
"""

import email
import email.policy
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller

from devtools.standin import AgencyStandIn
from tests.sqlite_files import migrated_copy

BASE_DIR = Path(__file__).resolve().parents[2]

# `make check` leaves it to `make test`; alone, since the outbox must settle within a set time.
pytestmark = [pytest.mark.slow, pytest.mark.alone]
REFERRALS = 30
WORKERS = 3
CHAOS_SECONDS = 18
SETTLE_SECONDS = 30
SECRET = "crash-test-agency-secret"
REFUSER_SECRET = "crash-test-refuser-secret"
CANARY = "Канарейка-осол-31415926"
HEAD_EMAIL = "darga@dg.example.mn"

WORKER_LOOP = (
    "import time\n"
    "from outbox.tasks import deliver_due\n"
    "while True:\n"
    "    deliver_due()\n"
    "    time.sleep(0.05)\n"
)


# --- run inside the subprocesses (manage.py shell -c) ----------------------------------------

def seed(count: int, api_url: str, refuser_url: str) -> None:
    """A department, its staff, the two agencies and `count` approved referrals, made
    through the workflows; approval leaves each one's outbox row pending."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from intake.models import Channel, Kind
    from intake.services import Content, staff_channel_log
    from org.models import Membership, Role, Unit
    from tests.routing.helpers import approved_referral, make_agency

    unit = Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, name_mn="Дорноговь",
                               name_en="Dornogovi")
    people = {}
    for role in (Role.CLERK, Role.OFFICER, Role.HEAD):
        user = get_user_model().objects.create_user(
            username=role.value, email=HEAD_EMAIL if role == Role.HEAD else "")
        Membership.objects.create(user=user, unit=unit, role=role)
        people[role] = user
    agency = make_agency(api_url=api_url, secret=SECRET)
    refuser = make_agency("refuser", api_url=refuser_url, secret=REFUSER_SECRET,
                          default=False, kind="other", name_mn="Татгалзагч")

    def referral_to(target, number):
        complaint = staff_channel_log(
            unit=unit, channel=Channel.LETTER, kind=Kind.COMPLAINT,
            received_at=timezone.now() - timedelta(days=1), logged_by=people[Role.CLERK],
            content=Content(body=f"Хээл хахууль №{number}. Гэрч: {CANARY}"),
        ).complaint
        return approved_referral(complaint, people[Role.OFFICER], people[Role.HEAD], target)

    for number in range(count):
        referral_to(agency, number)
    referral_to(refuser, count)


def report() -> None:
    """What the database says happened, as one line of JSON."""
    from django.conf import settings
    from django.utils import translation

    from audit.models import AuditEvent
    from audit.services import verify_chain
    from notify.models import Dispatch
    from notify.models import Kind as Notice
    from outbox.models import Outbox
    from routing.models import Referral

    delivered_events = {}
    for event in AuditEvent.objects.filter(action="referral.delivered"):
        reference = event.details_dict["referral"]
        delivered_events[reference] = delivered_events.get(reference, 0) + 1
    referrals = Referral.objects.in_bulk()
    rows = []
    for outbox in Outbox.objects.select_related("agency"):
        referral = referrals[outbox.subject_id]
        rows.append({
            "key": str(outbox.key), "agency": outbox.agency.code, "state": outbox.state,
            "attempts": outbox.attempts, "sha256": outbox.package_sha256,
            "referral": referral.reference, "referral_state": referral.state,
            "delivered_at": bool(referral.delivered_at),
            "delivered_events": delivered_events.get(referral.reference, 0),
        })
    failed = AuditEvent.objects.filter(action="referral.failed").count()
    alerts = list(Dispatch.objects.filter(notification__kind=Notice.REFERRAL_FAILED)
                  .values_list("recipient__email", "state"))
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Notice.REFERRAL_FAILED.label)
    print(json.dumps({"outbox": rows, "failed_events": failed, "chain": verify_chain().ok,
                      "alerts": alerts, "alert_label": label}, ensure_ascii=False))


# --- the test's side ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def crash_database(tmp_path):
    """A database URL the subprocesses share, dropped afterwards on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{migrated_copy(tmp_path / 'crash.sqlite3')}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_crash"
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def run(sql):
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _subject(envelope) -> str:
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    return str(message["Subject"])


def _outbox_states(url: str) -> dict[str, int]:
    query = "SELECT state, COUNT(*) FROM routing_outbox GROUP BY state"
    if url.startswith("sqlite"):
        connection = sqlite3.connect(urlsplit(url).path[1:], timeout=20)
        try:
            return dict(connection.execute(query).fetchall())
        finally:
            connection.close()
    import psycopg

    with psycopg.connect(url) as connection:
        return dict(connection.execute(query).fetchall())


def test_referrals_survive_killed_workers_and_a_flaky_agency(crash_database, tmp_path,
                                                             settings):
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    # The agency fails a third of its calls, and pauses between keeping a package and
    # answering, so that many kills land after it has the package and before we know.
    agency = AgencyStandIn(SECRET, fail_fraction=1 / 3, pause_seconds=0.5, seed=7).start()
    # Fails (and so is retried) until the chaos is over; then it refuses for good.
    refuser = AgencyStandIn(REFUSER_SECRET, mode="fail").start()
    env = {
        key: value for key, value in os.environ.items()
        if key not in {"SHUGEL_KEYRING_JSON", "PYTEST_CURRENT_TEST", "SHUGEL_EMAIL_BACKEND"}
    }
    env.update({
        "SHUGEL_ENV": "development", "DEBUG": "0", "DATABASE_URL": crash_database,
        "SHUGEL_KEYRING": str(settings.KEYRING_PATH), "SHUGEL_DATA_DIR": str(tmp_path),
        "SHUGEL_MEDIA_ROOT": str(tmp_path / "media"),
        "SHUGEL_REFERRAL_RETRY_BASE_SECONDS": "1", "SHUGEL_REFERRAL_RETRY_MAX_SECONDS": "2",
        "SHUGEL_OUTBOX_LEASE_SECONDS": "3", "SHUGEL_AGENCY_HTTP_TIMEOUT_SECONDS": "2",
        "SHUGEL_REFERRAL_MAX_ATTEMPTS": "60",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port),
        "SHUGEL_SITE_URL": "https://shugel.example.mn",
    })
    manage = [sys.executable, str(BASE_DIR / "manage.py")]

    def run(*args):
        done = subprocess.run([*manage, *args], cwd=BASE_DIR, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    logs = []

    def start_worker(number):
        log = (tmp_path / f"worker-{number}-{len(logs)}.log").open("w")
        logs.append(log.name)
        return subprocess.Popen([*manage, "shell", "-c", WORKER_LOOP], cwd=BASE_DIR, env=env,
                                stdout=log, stderr=subprocess.STDOUT)

    workers = []
    try:
        run("migrate", "--noinput", "-v", "0")
        run("shell", "-c", f"from tests.outbox.test_crash import seed; "
                           f"seed({REFERRALS}, {agency.url!r}, {refuser.url!r})")
        assert _outbox_states(crash_database) == {"pending": REFERRALS + 1}

        # Chaos: every second or so one worker is killed mid-whatever and replaced.
        chance = random.Random(11)
        workers = [start_worker(number) for number in range(WORKERS)]
        kills, started = 0, time.monotonic()
        while time.monotonic() - started < CHAOS_SECONDS:
            time.sleep(chance.uniform(0.5, 1.5))
            victim = chance.randrange(WORKERS)
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait()
            workers[victim] = start_worker(victim)
            kills += 1
            if _outbox_states(crash_database).get("pending", 0) <= 1 and kills >= 8:
                break

        # Calm: the workers finish what is left; the refusing agency now refuses.
        refuser.mode, refuser.refuse_status = "refuse", 403
        settle = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < settle and _outbox_states(crash_database).get("pending"):
            time.sleep(0.5)
        # The alert was queued with the dead letter; notify's task sends it (run here as
        # its schedule would: there is no task worker in this test), and a second run
        # sends nothing more.
        run("shell", "-c", "from notify.tasks import send_pending; send_pending()")
        run("shell", "-c", "from notify.tasks import send_pending; send_pending()")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        agency.stop()
        refuser.stop()
        smtp.stop()

    outcome = json.loads(run("shell", "-c", "from tests.outbox.test_crash import report; "
                                            "report()").strip().splitlines()[-1])
    rows = {row["key"]: row for row in outcome["outbox"]}
    healthy = {key: row for key, row in rows.items() if row["agency"] == "atg"}
    [dead] = [row for row in rows.values() if row["agency"] == "refuser"]

    assert kills >= 8 and agency.failed > 0
    # Every referral delivered, and recorded as delivered exactly once.
    assert len(healthy) == REFERRALS
    assert {row["state"] for row in healthy.values()} == {"delivered"}
    assert {row["referral_state"] for row in healthy.values()} == {"delivered"}
    assert all(row["delivered_at"] for row in healthy.values())
    assert {row["delivered_events"] for row in healthy.values()} == {1}
    # The agency holds exactly one delivery per key, each the package that was approved.
    assert agency.accepted_keys == REFERRALS
    assert set(agency.deliveries) == set(healthy)
    assert all(agency.deliveries[key].sha256 == row["sha256"] for key, row in healthy.items())
    # The refusing agency: a dead letter, audited, and the head alerted (with nothing in it).
    assert (dead["state"], dead["referral_state"]) == ("dead", "failed")
    assert outcome["failed_events"] == 1
    assert outcome["chain"] is True
    assert outcome["alerts"] == [[HEAD_EMAIL, "sent"]]
    alerts = [envelope for envelope in mailbox.received if envelope.rcpt_tos == [HEAD_EMAIL]
              and outcome["alert_label"] in _subject(envelope)]
    assert len(alerts) == 1
    assert all(CANARY.encode() not in envelope.original_content
               for envelope in mailbox.received)
    # Nothing of the complaints in what the workers wrote.
    written = "".join(Path(name).read_text() for name in logs)
    assert CANARY not in written
    assert "Traceback" not in written, written[-3000:]
