"""What the submission benches' Argon2id targets leave the server: bench/load.py's ceiling,
from the scaled run's own CPU by part, and bench/intake_submit.py's CPU lines."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _submit_floors import report_cpu  # noqa: E402
from load import ceiling_lines  # noqa: E402

# 100 submissions; 2 cores hashing 100 a second: a hash is 20 ms of CPU.
CPU = {"web server": 10.0, "PostgreSQL": 0.8, "Redis": 0.1, "task worker": 0.05,
       "clients (this bench)": 0.05, "other": 7.0, "idle": 3.0}
HASHES = {"rate": 100.0, "cores": 2}


def test_the_other_parts_bound_the_ratio_and_the_target_leaves_the_web_server_the_rest():
    ceiling, budget = ceiling_lines(CPU, 100, HASHES)

    # The deployment's other parts: 1.0 s over 100 submissions, 10 ms each ("other", the
    # rest of the machine, and idle time are not the deployment's). 20 / (20 + 10).
    assert "a hash is 20.0 ms" in ceiling
    assert "spend 10.0 ms a submission" in ceiling
    assert ceiling.endswith("the ratio would be 0.67")
    # 20 / 0.6 - 20 - 10 = 3.3 ms left; the web server spent 100 - 20 = 80 ms.
    assert "leaves the web server 3.3 ms a submission beyond the hash" in budget
    assert "it spent 80.0 ms" in budget


def test_nothing_to_say_without_readings_submissions_or_a_floor():
    assert ceiling_lines({}, 100, HASHES) == []
    assert ceiling_lines(CPU, 0, HASHES) == []
    assert ceiling_lines(CPU, 100, {"rate": 0.0, "cores": 2}) == []


def test_intake_submit_says_what_its_target_leaves_beside_two_bare_posts(capsys):
    # A submission's CPU 40 ms, a bare one-insert POST 1.5 ms, a hash 21 ms; target 0.7.
    report_cpu(40.0, 1.5, 21.0, 0.7)
    said = capsys.readouterr().out

    assert "CPU ratio to floor (b):     0.53" in said
    # 21 / 0.7 - 21 = 9 ms left beyond the hash; it spent 40 - 21 = 19.
    assert ("leaves a submission 9.0 ms of CPU beyond the hash, for the form page and the "
            "post (two floor (a) POSTs: 3.0 ms); it spent 19.0 ms") in said
