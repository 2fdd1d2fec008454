"""The attack of issue 15, against the real server: a 140 KB PNG of 12000 x 12000 pixels,
five to a request and several requests at once, on /report/ and on /track/message/. Each is
refused with the limit and saves nothing, and the server process never holds more than
PEAK_LIMIT_MB (before the bound, one such picture took it from 160 MB to about 2 GB)."""

import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.intake.test_anonymity import (
    Browser,
    free_port,
    installation,
    wait_until_healthy,
)
from tests.intake.test_uploads import grey_png

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEAK_LIMIT_MB = 300
REFUSAL = "A picture is larger than 40 megapixels."
AT_ONCE = 3  # requests sent together; with the one before them, within each client's limits

COUNT_STORED = (
    "from intake.models import Attachment, Complaint, Message; "
    "print(Complaint.objects.count(), Message.objects.count(), Attachment.objects.count())"
)


@pytest.fixture(scope="session")
def bomb(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("bombs") / "12000x12000.png"
    path.write_bytes(grey_png(12000, 12000))
    return path.read_bytes()


@pytest.fixture
def server(tmp_path):
    """One uvicorn process serving config.asgi in production settings; yields (port, pid,
    env). Its own pid, so that its memory is what /proc reports."""
    env = {**installation(tmp_path), "SHUGEL_LOG_LEVEL": "WARNING"}
    port = free_port()
    err = tmp_path / "server.err"
    with open(err, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--no-access-log", "--lifespan", "off"],
            cwd=ROOT, env=env, stdout=stderr, stderr=stderr, start_new_session=True,
        )
        try:
            wait_until_healthy(Browser(port), process, err)
            yield port, process.pid, env
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def memory_mb(pid: int, field: str) -> int:
    """VmHWM (the most the process has held) or VmRSS (what it holds now), in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    raise AssertionError(f"no {field} for {pid}")


def stored(env) -> str:
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", COUNT_STORED], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]  # after the shell's own line, if any


def five(bomb: bytes) -> list:
    return [SimpleUploadedFile(f"зураг-{n}.png", bomb, "image/png") for n in range(5)]


def all_at_once(send, count: int) -> list:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: send(), range(count)))


def test_pictures_of_144_megapixels_are_refused_on_every_public_form_in_bounded_memory(
    server, bomb
):
    port, pid, env = server
    assert len(bomb) < 200 * 1024
    reporter = Browser(port)

    def fresh_form():
        status, page = reporter.request("GET", "/en/report/")
        assert status == 200
        return page

    def report_with_bombs():
        page, browser = fresh_form(), Browser(port)
        browser.cookies = dict(reporter.cookies)
        return browser.post_multipart("/en/report/", page, {
            "token": re.search(r'name="token" value="([^"]+)"', page).group(1),
            "kind": "complaint", "unit": re.search(r'value="(\d+)"', page).group(1),
            "body": "Бичиг хэргийн ажилтан мөнгө нэхсэн.", "attachments": five(bomb)})

    # One honest report without files, for a receipt to follow.
    page = fresh_form()
    status, receipt_page = reporter.post_multipart("/en/report/", page, {
        "token": re.search(r'name="token" value="([^"]+)"', page).group(1), "kind": "complaint",
        "unit": re.search(r'value="(\d+)"', page).group(1), "body": "Хээл хахууль нэхсэн."})
    assert status == 200, receipt_page[-2000:]
    code = re.search(r'id="receipt">([\d ]+)<', receipt_page).group(1)
    status, track = reporter.request("GET", "/en/track/")
    status, case = reporter.post_form("/en/track/", track, {"receipt": code})
    assert status == 200
    settled = memory_mb(pid, "VmRSS")

    def message_with_bombs():
        browser = Browser(port)
        browser.cookies = dict(reporter.cookies)
        return browser.post_multipart("/en/track/message/", case, {
            "token": re.search(r'name="token" value="([^"]+)"', case).group(1),
            "receipt": code, "body": "Нэмэлт зураг.", "attachments": five(bomb)})

    answers = [report_with_bombs(), *all_at_once(report_with_bombs, AT_ONCE),
               message_with_bombs(), *all_at_once(message_with_bombs, AT_ONCE)]

    for status, answer in answers:
        assert status == 400, answer[-2000:]
        assert REFUSAL in answer, answer[-2000:]
    assert stored(env) == "1 0 0"  # the honest report alone: no message, no file
    assert not [p for p in (os.path.join(d, f) for d, _, fs in os.walk(env["SHUGEL_MEDIA_ROOT"])
                                                for f in fs)]
    peak = memory_mb(pid, "VmHWM")
    print(f"\nserver memory: {settled} MB settled, {peak} MB at its peak over "
          f"{len(answers) * 5} pictures of 144 megapixels in {len(answers)} requests")
    assert peak < PEAK_LIMIT_MB
