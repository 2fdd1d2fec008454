"""A restore that fails half way changes nothing: the backup is restored into a staging place
(ops/staging.py) and moved into place only when every check passed, so the same target takes
the next restore at once; and a restore is recorded, chained, in the restored audit trail.

Child processes with data folders of their own, as in the restore drill (on PostgreSQL, new
databases), so that "the target" is a real installation's database and folders.
"""

import hashlib
import json
import shutil

import pytest

from tests.ops.test_restore_drill import Databases, base_environment, records, run

pytestmark = pytest.mark.slow  # child processes: `make test` runs it, `make check` does not

OPERATOR = "Д. Бат-Эрдэнэ"
LAST_EVENT = (
    "import json, django; django.setup(); from audit.models import AuditEvent; "
    "e = AuditEvent.objects.order_by('-seq').first(); "
    "print(json.dumps({'action': e.action, 'details': json.loads(e.details)}))"
)


@pytest.fixture
def databases():
    made = Databases()
    yield made
    made.drop_all()


def corrupt_counts(good, bad) -> None:
    """A backup whose damage shows only after its data is in: the manifest (with a matching
    checksum) promises one complaint more than the database holds."""
    shutil.copytree(good, bad)
    manifest = json.loads((bad / "manifest.json").read_text())
    manifest["counts"]["intake.complaint"] += 1
    data = json.dumps(manifest, indent=2).encode()
    (bad / "manifest.json").write_bytes(data)
    (bad / "manifest.json.sha256").write_text(
        f"{hashlib.sha256(data).hexdigest()}  manifest.json\n"
    )


def left_behind(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() or ".restoring-" in p.name)


def postgres_state(databases: Databases, url: str | None) -> tuple[list, list]:
    """The target's tables and every staging or set-aside database of the server."""
    if url is None:
        return [], []
    import psycopg

    s = databases.server
    name = url.rsplit("/", 1)[1]
    connect = {"host": s["HOST"], "port": s["PORT"] or 5432, "user": s["USER"],
               "password": s["PASSWORD"] or None}
    with psycopg.connect(dbname=name, **connect) as target:
        tables = target.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in tables]
    with psycopg.connect(dbname="postgres", **connect) as server:
        staged = server.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE %s",
            [f"{name}_restoring_%", f"{name}_replaced_%"],
        )
        staged = [row[0] for row in staged]
    return tables, staged


def test_a_restore_that_fails_half_way_leaves_the_target_as_it_was_and_the_next_one_succeeds(
    tmp_path, databases
):
    source, target = tmp_path / "server", tmp_path / "restored"
    env = {**base_environment(), "SHUGEL_DATA_DIR": str(source)}
    if url := databases.new("src"):
        env["DATABASE_URL"] = url
    run(["manage.py", "keys", "generate"], env)
    run(["manage.py", "migrate", "--noinput", "-v0"], env)
    written = records("write", env, tmp_path)
    good, bad = tmp_path / "backups" / "good", tmp_path / "backups" / "bad"
    run(["manage.py", "backup", "--out", str(good)], env)
    corrupt_counts(good, bad)

    restored = {**env, "SHUGEL_DATA_DIR": str(target),
                "SHUGEL_KEYRING": str(source / "keyring.json")}
    restored.pop("DATABASE_URL", None)
    if target_url := databases.new("restore"):
        restored["DATABASE_URL"] = target_url

    output = run(["manage.py", "restore", str(bad), "--by", OPERATOR], restored, expect=1)
    assert "does not match the backup (nothing was changed)" in output
    assert "intake.complaint: 4 rows, the backup has 5" in output
    assert left_behind(target) == []
    assert postgres_state(databases, target_url) == ([], [])

    output = run(["manage.py", "restore", str(good), "--by", OPERATOR], restored)
    assert f"The restore is recorded in the audit trail (by {OPERATOR})" in output
    assert "Restore check passed." in output
    assert postgres_state(databases, target_url)[1] == []
    assert not [p for p in target.rglob("*") if ".restoring-" in p.name]
    assert "Audit trail intact" in run(["manage.py", "verify_audit"], restored)
    assert records("read", restored, tmp_path)["bodies"] == written["bodies"]

    event = json.loads(run(["-c", LAST_EVENT], restored))
    manifest = json.loads((good / "manifest.json").read_text())
    assert event["action"] == "backup.restored"
    assert event["details"]["by"] == OPERATOR
    assert event["details"]["manifest_sha256"] == (
        (good / "manifest.json.sha256").read_text().split()[0]
    )
    assert event["details"]["keyring"] == manifest["keyring"]["id"]
    wrap_id = manifest["keyring"]["purposes"]["wrap"]["key_ids"]["1"]
    assert f"wrap v1 {wrap_id}" in event["details"]["key_ids"]
    # A second look at the restored installation does not record a second restore.
    run(["manage.py", "restore", str(good), "--check"], restored)
    assert json.loads(run(["-c", LAST_EVENT], restored)) == event
