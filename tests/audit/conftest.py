"""Helpers for the audit tests: a small chain to break, and the means to break it."""

import io
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import chain, triggers
from audit.models import AuditEvent, ChainHead
from audit.services import SYSTEM, make_checkpoint, record
from tests.sqlite_files import migrated_copy

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def verify_audit(*args) -> tuple[int, str]:
    """Run `manage.py verify_audit`; its exit status and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue() + err.getvalue() + str(error)
    return 0, out.getvalue() + err.getvalue()


def rows() -> list[tuple]:
    """Every event as stored, in CHAIN_COLUMNS order plus the HMAC, by sequence number."""
    return list(
        AuditEvent.objects.order_by("seq").values_list(*chain.CHAIN_COLUMNS, "mac")
    )


class Tamperer:
    """Someone with write access to the database but not the keyring. The triggers are
    dropped inside the test's transaction, so they come back when it rolls back."""

    def __init__(self):
        triggers.remove(connection)

    def sql(self, statement: str, params=()):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    def set(self, at_seq: int, /, **values):
        assignments = ", ".join(f"{column} = %s" for column in values)
        self.sql(f"UPDATE audit_auditevent SET {assignments} WHERE seq = %s",
                 [*values.values(), at_seq])

    def delete(self, *seqs: int):
        for seq in seqs:
            self.sql("DELETE FROM audit_auditevent WHERE seq = %s", [seq])

    def move(self, old: int, new: int):
        self.set(old, seq=new)

    def insert(self, values: tuple, mac: str):
        columns = ", ".join((*chain.CHAIN_COLUMNS, "mac"))
        marks = ", ".join(["%s"] * (len(chain.CHAIN_COLUMNS) + 1))
        self.sql(f"INSERT INTO audit_auditevent ({columns}) VALUES ({marks})", [*values, mac])

    def set_head(self, seq: int):
        mac = AuditEvent.objects.filter(seq=seq).values_list("mac", flat=True).first()
        ChainHead.objects.filter(pk=ChainHead.ONLY).update(seq=seq, mac=mac or chain.GENESIS)

    def rechain(self, key: bytes, *, from_seq: int = 1):
        """Recompute every HMAC from `from_seq` on with `key`, as someone rebuilding the
        chain after changing it would."""
        prev = chain.GENESIS
        for row in rows():
            values = list(row[:chain.MAC])
            if row[chain.SEQ] < from_seq:
                prev = row[chain.MAC]
                continue
            values[chain.PREV] = prev
            prev = chain.compute_mac(key, tuple(values))
            self.set(row[chain.SEQ], prev_hash=values[chain.PREV], mac=prev)
        ChainHead.objects.filter(pk=ChainHead.ONLY).update(mac=prev)


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Checkpoint files of one test must not be seen by the next."""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def use_keyring(tmp_path):
    """Switch to another keyring for one test: `use_keyring(keyring)`."""
    from vault.keyring import reload_keyring

    original = settings.KEYRING_PATH

    def switch(keyring):
        """Use `keyring`; None stands for a keyring file that is not there."""
        settings.KEYRING_PATH = tmp_path / f"keyring-{secrets.token_hex(4)}.json"
        if keyring is not None:
            keyring.save(settings.KEYRING_PATH)
        reload_keyring()

    yield switch
    settings.KEYRING_PATH = original
    reload_keyring()


@pytest.fixture
def tamper(db):
    return Tamperer()


@pytest.fixture
def trail(units):
    """Twelve events, with a signed checkpoint after the eighth."""
    dg = units["DG"]
    for number in range(1, 9):
        record(actor=SYSTEM, action="test.step", target=dg, details={"n": number})
    checkpoint = make_checkpoint()
    for number in range(9, 13):
        record(actor=SYSTEM, action="test.step", target=dg, details={"n": number})
    return checkpoint


def random_key() -> bytes:
    return secrets.token_bytes(32)


# --- a real SQLite database file, for work across processes -------------------------------

def manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, str(MANAGE), *args], env=env, capture_output=True,
                          text=True, timeout=120, **kwargs)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """Tests using it are marked own_sqlite: on PostgreSQL they would repeat the SQLite run."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    env = environment(folder, keyring=settings.KEYRING_PATH)
    migrated_copy(folder / "shugel.sqlite3")  # the migrate below then has nothing to apply
    migrated = manage(env, "migrate", "--noinput", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return folder / "shugel.sqlite3"


def environment(folder: Path, keyring) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'shugel.sqlite3'}",
        "SHUGEL_KEYRING": str(keyring),
        "SHUGEL_DATA_DIR": str(folder / "data"),
        "SHUGEL_ENV": "development",
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)
    return env


@pytest.fixture
def sqlite_file(migrated_template, tmp_path):
    """A migrated SQLite database file of this test's own, and the environment for it."""
    shutil.copy(migrated_template, tmp_path / "shugel.sqlite3")
    return tmp_path / "shugel.sqlite3", environment(tmp_path, keyring=settings.KEYRING_PATH)
