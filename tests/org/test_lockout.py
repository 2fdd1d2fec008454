"""Lockout after failed sign-ins counts per username *and* client, and keeps nothing.

Someone guessing `head`'s password from one place locks `head` out of that place only; the
head still signs in from the office. What a failed sign-in brings (user agent, address, the
typed username and password) lands neither in the database (its SQLite file and WAL
included) nor in a log.
"""

import logging
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.org.test_login import current_code
from tests.vault.canary import canary, contains
from tests.vault.test_canary import files_while_open

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ATTACKER, OFFICE = "127.0.0.2", "127.0.0.3"


def sign_in(client, user, *, address, password=PASSWORD, agent="Mozilla/5.0"):
    return client.post(
        reverse("org:login"),
        {"username": user.username, "password": password,
         "otp_token": current_code(user)},
        REMOTE_ADDR=address, HTTP_USER_AGENT=agent,
    )


def lock_out(client, user, *, address, agent="Mozilla/5.0"):
    for _ in range(5):
        sign_in(client, user, address=address, password="a wrong guess", agent=agent)


def test_a_head_locked_out_from_one_place_still_signs_in_from_another(client, personas):
    head = personas["head"]
    lock_out(client, head, address=ATTACKER)
    assert sign_in(client, head, address=ATTACKER).status_code == 429

    office = sign_in(client, head, address=OFFICE)
    assert office.status_code == 302 and office["Location"] == reverse("org:home")
    assert client.session["_auth_user_id"] == str(head.pk)

    client.logout()
    again = sign_in(client, head, address=ATTACKER)
    assert again.status_code == 429, "signing in elsewhere does not unlock the attacker"
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_in_mongolian_and_in_english(client, personas):
    lock_out(client, personas["officer"], address=ATTACKER)
    page = sign_in(client, personas["officer"], address=ATTACKER).content.decode()
    assert "Эрх түгжигдсэн" in page and "Энэ холболтоос" in page
    english = client.post(
        "/en" + reverse("org:login"), {"username": "officer", "password": "x"},
        REMOTE_ADDR=ATTACKER,
    )
    assert english.status_code == 429
    assert "from this connection" in english.content.decode()


def test_failed_sign_ins_write_nothing_to_the_database_or_the_log(client, personas, caplog):
    agent = canary()
    with caplog.at_level(logging.DEBUG):
        lock_out(client, personas["head"], address=ATTACKER, agent=agent)
        sign_in(client, personas["head"], address=ATTACKER, agent=agent)
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.count() == AccessLog.objects.count() == 0
    assert AccessFailureLog.objects.count() == 0
    everything = caplog.text
    assert agent not in everything and "a wrong guess" not in everything
    lockout_lines = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    assert any("Locking out" in line for line in lockout_lines)
    for line in lockout_lines:
        for detail in ("head", ATTACKER, reverse("org:login")):
            assert detail not in line, line


WRITER = r"""
import sys
from pathlib import Path

import django

django.setup()
import logging

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

call_command("migrate", verbosity=0)
logging.getLogger().setLevel(logging.DEBUG)
for name in list(logging.root.manager.loggerDict):
    logging.getLogger(name).setLevel(logging.DEBUG)
connection.force_debug_cursor = True
agent, password, control = sys.argv[2:5]
get_user_model().objects.create_user(username="head", password="x" * 20, first_name=control)
client = Client()
for address in ("127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2",
                "127.0.0.3"):
    client.post("/login/", {"username": "head", "password": password},
                REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    client.post("/login/", {"username": password, "password": password},
                REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
print("READY", flush=True)
sys.stdin.readline()
connection.close()
"""


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_no_user_agent_or_typed_secret_of_a_failed_sign_in_reaches_sqlite_or_its_wal(
    tmp_path,
):
    agent, password, control = canary(), canary(), canary()
    while_open, database, log = files_while_open(
        tmp_path, ["-c", WRITER, str(tmp_path), agent, password, control])

    stored = b"".join(while_open.values()) + database.read_bytes()
    assert contains(stored, control), "the scan does see what is stored"
    assert not contains(stored, agent) and not contains(stored, password)
    logged = log.read_bytes()
    assert b"INSERT INTO" in logged, "the SQL log is on"
    assert not contains(logged, agent) and not contains(logged, password)
