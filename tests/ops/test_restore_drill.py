"""The restore drill of docs/backup.md, run as written: every command of its fenced block, in
child processes with data folders of their own, so "clean" means a real empty folder (and,
on PostgreSQL, a new empty database).

Before the block, a source installation is set up as on a real server (keys generate,
migrate, complaints with attachments, messages, notes, a referral, a shredded complaint, a
checkpoint). The block then exports the escrow, backs up, and restores into a clean folder:
without the keyring the restore must fail with the clear message and nothing may decrypt;
after `keys escrow-import` every record must decrypt and the audit trail verify.
"""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from core.environment import database_from_url
from tests.vault.canary import leaks
from vault.keyring import Keyring

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # `make check` leaves it to `make test`
DOC = ROOT / "docs" / "backup.md"
PASSPHRASE = "drill passphrase kept in the safe"
RECORDS = ("import sys, django; django.setup(); from tests.ops.records import main; main()")


def drill_block() -> list[str]:
    """The lines of the fenced block after the restore-drill marker in docs/backup.md."""
    text = DOC.read_text()
    marker = text.index("<!-- restore-drill")
    block = re.search(r"```sh\n(.*?)```", text[marker:], re.S)
    assert block, "docs/backup.md lost its restore drill block"
    return block.group(1).splitlines()


def base_environment() -> dict:
    own = ("SHUGEL_", "DATABASE_URL", "REDIS_URL", "DJANGO_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update({
        "SHUGEL_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHUGEL_LOG_LEVEL": "WARNING",
        "SHUGEL_ESCROW_PASSPHRASE": PASSPHRASE,
    })
    return env


def run(args: list[str], env: dict, *, expect: int = 0) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    shown = f"$ {' '.join(args)}\n{done.stdout}\n{done.stderr[-3000:]}"
    assert done.returncode == expect, shown
    return done.stdout + done.stderr


def records(action: str, env: dict, workdir: Path) -> dict:
    result = workdir / f"records-{action}-{secrets.token_hex(3)}.json"
    run(["-c", RECORDS, action, str(result)], env)
    return json.loads(result.read_text())


class Databases:
    """On PostgreSQL, a new database for the source and one for the drill, dropped after;
    on SQLite nothing: each folder holds its own database file."""

    def __init__(self):
        url = os.environ.get("DATABASE_URL", "")
        self.server = database_from_url(url) if url.startswith("postgres") else None
        self.made = []

    def new(self, purpose: str) -> str | None:
        if self.server is None:
            return None
        name = f"shugel_drill_{purpose}_{secrets.token_hex(4)}"
        self._execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        s = self.server
        password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
        return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{name}"

    def drop_all(self):
        for name in self.made:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _execute(self, sql: str):
        import psycopg

        s = self.server
        with psycopg.connect(host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"],
                             password=s["PASSWORD"] or None, dbname="postgres",
                             autocommit=True) as admin:
            admin.execute(sql)


@pytest.fixture
def databases():
    made = Databases()
    yield made
    made.drop_all()


def test_the_documented_restore_drill_brings_back_every_record_only_with_the_escrowed_keyring(
    tmp_path, databases
):
    source, drill = tmp_path / "server", tmp_path / "drill"
    places = {"BACKUP": tmp_path / "backups" / "drill",
              "ESCROW": tmp_path / "usb" / "shugel-keyring.escrow", "DRILL": drill}
    env = {**base_environment(), "SHUGEL_DATA_DIR": str(source)}
    source_url = databases.new("src")
    if source_url:
        env["DATABASE_URL"] = source_url
    drill_url = databases.new("restore")

    # The server, as it would be: keys, schema, records.
    run(["manage.py", "keys", "generate"], env)
    run(["manage.py", "migrate", "--noinput", "-v0"], env)
    written = records("write", env, tmp_path)
    assert written["complaints"] == 4 and len(written["bodies"]) == 3

    variables, steps = {}, []
    for line in drill_block():
        command = line.split("#", 1)[0].strip()
        if not command:
            continue
        if re.fullmatch(r"[A-Z_]+=\S+", command):
            name = command.split("=", 1)[0]
            variables[name] = str(places[name])  # the doc's paths, moved into tmp_path
            continue
        words = shlex.split(re.sub(r"\$(\w+)", lambda m: variables[m.group(1)], command))
        if words[0] == "unset":
            for name in words[1:]:
                env.pop(name, None)
        elif words[0] == "export":
            name, value = words[1].split("=", 1)
            env[name] = value
            if name == "SHUGEL_DATA_DIR" and drill_url:
                env["DATABASE_URL"] = drill_url  # the block's PostgreSQL note
        else:
            assert words[:2] == ["python", "manage.py"], line
            expected = re.search(r"exit (\d+)", line)
            output = run(words[1:], env, expect=int(expected.group(1)) if expected else 0)
            steps.append((words[2:], output))
            check_step(words[2:], output, env, tmp_path, written, places)
    assert set(variables) == set(places)

    done = [" ".join(args[:1] + [a for a in args[1:] if a.startswith("--check")])
            for args, _ in steps]
    assert done == ["keys", "backup", "restore", "keys", "restore --check", "verify_audit",
                    "keys"], done


def check_step(args, output, env, workdir, written, places):
    """What each step of the drill must have done, beyond its exit status."""
    if args[:2] == ["keys", "escrow-export"]:
        escrow = places["ESCROW"].read_bytes()
        assert b"ciphertext" in escrow and leaks(escrow) == []
    elif args[0] == "backup":
        backup = places["BACKUP"]
        ring = Keyring.from_json(Path(env["SHUGEL_DATA_DIR"], "keyring.json").read_text())
        keys = [ring.key(p, int(v)).hex().encode() for p in ring.purposes
                for v in ring.purposes[p]["keys"]]
        for path in backup.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert leaks(data) == [], path
                assert not [k for k in keys if k in data], path
        assert not list(backup.rglob("keyring*"))
    elif args[0] == "restore" and "--check" not in args:
        assert "The data is restored but cannot be read without the keyring" in output
        assert "manage.py keys escrow-import" in output
        assert not (places["DRILL"] / "keyring.json").exists()
        unreadable = records("read", env, workdir)
        assert unreadable["bodies"] == {} and unreadable["files"] == 0
        assert len(unreadable["unreadable"]) >= 3 and all(
            "KeyringError" in line for line in unreadable["unreadable"])
    elif args[:2] == ["keys", "escrow-import"]:
        assert "written to" in output
    elif args[0] == "restore":
        assert "Row counts match the backup" in output
        assert "The keyring matches the backup" in output
        assert "Every record decrypts" in output and "Restore check passed." in output
        read = records("read", env, workdir)
        assert read["unreadable"] == []
        assert read["bodies"] == written["bodies"]
        assert read["files"] >= 3
    elif args[0] == "verify_audit":
        assert "Audit trail intact" in output and "1 checkpoints verified" in output
