"""Run by test_canary in its own process, against a file-based SQLite database.

Writes the canary records, reports, then waits on stdin with the database still open, so
the parent scans the database file together with its write-ahead log before SQLite folds
the log back in on close.

    python -m tests.vault.canary_child WORKDIR
"""

import json
import logging
import secrets
import sys
from pathlib import Path


def main(workdir: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tests.vault.canary import decoded_task_tables, write_records

    call_command("migrate", verbosity=0)
    # Every SQL statement and its parameters go to the log that the parent scans.
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    control = f"control-{secrets.token_hex(8)}"
    report = write_records(40, control=control)
    report.update(control=control, tasks=decoded_task_tables())
    (workdir / "report.json").write_text(json.dumps(report))
    print("READY", flush=True)
    sys.stdin.readline()
    connection.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
