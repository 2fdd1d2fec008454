"""bench/_load_cpu.py: the load run's CPU by part of the deployment, read from /proc."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from _load_cpu import breakdown, breakdown_lines, reading  # noqa: E402

pytestmark = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads /proc")

BUSY = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"


def busy_server(then_wait: bool) -> subprocess.Popen:
    """A process in a session of its own that spends 0.4 s of CPU once it reads a line,
    then ends or (`then_wait`) waits for another line."""
    script = f"input()\n{BUSY}" + ("\ninput()" if then_wait else "")
    return subprocess.Popen([sys.executable, "-c", script], text=True,
                            stdin=subprocess.PIPE, start_new_session=True)


def spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_each_part_is_charged_its_own_cpu():
    server = busy_server(then_wait=False)
    try:
        roles = {server.pid: "web server"}
        before = reading(roles)
        server.communicate("go\n", timeout=30)  # the server spends 0.4 s of CPU
        spin(0.3)  # and the clients 0.3 s
        after = reading(roles)
    finally:
        server.kill()
    spent = breakdown(before, after)
    # The server has ended: its CPU is found through this process, its parent, which
    # reaped it. It is charged to the clients' line, counted whole.
    assert spent["clients (this bench)"] >= 0.6
    assert spent["idle"] >= 0


def test_a_running_server_is_charged_to_its_part():
    server = busy_server(then_wait=True)
    try:
        roles = {server.pid: "web server"}
        before = reading(roles)
        server.stdin.write("go\n")
        server.stdin.flush()
        deadline = time.monotonic() + 30
        while breakdown(before, reading(roles)).get("web server", 0) < 0.35:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        spent = breakdown(before, reading(roles))
    finally:
        server.kill()
        server.wait()
    assert 0.35 <= spent["web server"] < 1.0
    assert spent.get("clients (this bench)", 0) < 0.3
    lines = breakdown_lines(spent, 10)
    assert lines[0] == "CPU during the load, by part (10 submissions):"
    assert any(line.split()[:2] == ["web", "server"] for line in lines[1:])


def test_nothing_to_say_without_readings_or_submissions():
    assert breakdown(None, None) == {}
    assert breakdown_lines({"web server": 1.0}, 0) == []
