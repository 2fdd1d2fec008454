"""CI-sized fault test: the embedded deployment killed with SIGKILL in the middle of
submissions (bench/faults.py, scenario `kill`, its --quick form).

The scenario starts `manage.py serve` on SQLite in a temp dir of its own, has clients submit
reports through the real form, kills the web server and the task worker at once, starts them
again, then checks that every receipt a client was shown opens its case on /track/, that no
complaint is half-written and that `manage.py verify_audit` passes. It runs as a separate
process because the server it kills must not share this process's database connections.
Redis and PostgreSQL faults need servers of their own: run `bench/faults.py redis postgres`.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# `make check` leaves it to `make test`; alone, since kills are timed against live submissions.
pytestmark = [pytest.mark.slow, pytest.mark.alone, pytest.mark.own_sqlite]


def test_sigkill_during_submissions_loses_no_shown_receipt_and_leaves_nothing_half_written():
    done = subprocess.run(
        [sys.executable, "bench/faults.py", "--quick", "kill"], cwd=BASE_DIR,
        capture_output=True, text=True, timeout=300,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert "passed" in done.stdout, report
    assert "SIGKILL #1" in done.stdout, report
