"""An officer's complaint queue shows a new complaint without being reloaded: in Chromium,
against uvicorn (pytest's live_server speaks WSGI, which has no websockets).

The server runs in a subprocess on a file SQLite database of its own, with two-factor
sign-in required, once in the embedded deployment (in-process channel layer, polling on) and
once with Redis (polling off) when REDIS_URL is set. Two
ways in: a citizen reports on the web (the web process pushes at once), and a complaint
logged by another process, as the task worker would (only the database path can bring it).
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.sqlite_files import migrated_copy

ROOT = Path(__file__).resolve().parents[2]
KEY = "3132333435363738393031323334353637383930"
PASSWORD = "correct horse battery staple"

SEED = f"""
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.contrib.auth import get_user_model
from org.models import Membership, Role, Unit
national = Unit.objects.create(code="UBEG", kind="national", name_mn="УБЕГ", name_en="UBEG")
dg = Unit.objects.create(code="DG", kind="department", parent=national, name_mn="Дорноговь",
                         name_en="Dornogovi")
user = get_user_model().objects.create_user(username="officer", password={PASSWORD!r},
                                            first_name="Officer", last_name="T.")
Membership.objects.create(user=user, unit=dg, role=Role.OFFICER)
TOTPDevice.objects.create(user=user, name="phone", confirmed=True, key={KEY!r})
clerk = get_user_model().objects.create_user(username="clerk", first_name="Clerk")
Membership.objects.create(user=clerk, unit=dg, role=Role.CLERK)
"""

# What the task worker would do: log a complaint, in its own process and its own channel
# layer, which no page is connected to. The clerk logs it: the officer watching is never
# told of what the officer did.
FROM_ANOTHER_PROCESS = """
from django.utils import timezone
from intake.services import Content, staff_channel_log
from org.models import Unit
from django.contrib.auth import get_user_model
staff_channel_log(unit=Unit.objects.get(code="DG"), channel="letter", kind="complaint",
                  received_at=timezone.now(), content=Content(body="Захидлаар ирсэн гомдол."),
                  logged_by=get_user_model().objects.get(username="clerk"))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module", params=["embedded", "redis"])
def asgi_server(request, tmp_path_factory, browser):
    """uvicorn serving config.asgi on a fresh database; yields (base url, manage.py env).
    "embedded": the in-process channel layer, with the socket reading the notifications
    table. "redis": channels-redis with that reading turned off, so what another process
    raises can only arrive through Redis (run when REDIS_URL is set, as in CI)."""
    redis_url = os.environ.get("REDIS_URL", "")
    if request.param == "redis" and not redis_url:
        pytest.skip("set REDIS_URL to run the live queue through Redis too")
    workdir = tmp_path_factory.mktemp("live")
    env = {
        **os.environ,
        "SHUGEL_ENV": "development", "SHUGEL_REQUIRE_2FA": "true", "DEBUG": "false",
        "SHUGEL_DATA_DIR": str(workdir), "SHUGEL_MEDIA_ROOT": str(workdir / "media"),
        "DATABASE_URL": f"sqlite:///{workdir / 'live.sqlite3'}",
        "SHUGEL_KEYRING": str(workdir / "keyring.json"), "SHUGEL_NOTIFY_POLL_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings", "SHUGEL_LOG_LEVEL": "WARNING",
    }
    for name in ("REDIS_URL", "SHUGEL_KEYRING_JSON", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    if request.param == "redis":
        env.update(REDIS_URL=redis_url, SHUGEL_NOTIFY_POLL_SECONDS="0")

    def manage(*args):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)

    manage("keys", "generate")
    migrated_copy(workdir / "live.sqlite3")  # its migrate then has nothing to apply
    manage("migrate", "--no-input")
    manage("shell", "-c", SEED)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--lifespan", "off"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("uvicorn did not start: " + server.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", manage
    server.terminate()
    server.wait(timeout=15)
    logged = server.stderr.read().decode()
    assert '"WebSocket /ws/notifications/' in logged  # uvicorn did log the handshakes...
    assert not re.search(r"\d+\.\d+\.\d+\.\d+:\d+ - ", logged)  # ...but not from where


def sign_in_officer(page, base: str):
    page.goto(base + "/en/staff/login/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(
        f"{totp(bytes.fromhex(KEY)):06d}")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#notify-bell")).to_be_visible()


def test_the_queue_shows_a_web_report_and_a_complaint_logged_elsewhere_without_reloading(
    browser, asgi_server
):
    base, manage = asgi_server
    staff = browser.new_context(locale="en-GB", timezone_id="Asia/Ulaanbaatar")
    citizen = browser.new_context(locale="mn-MN", timezone_id="Asia/Ulaanbaatar")
    try:
        page = staff.new_page()
        page.set_default_timeout(15_000)
        sign_in_officer(page, base)
        with page.expect_websocket(timeout=10_000) as opened:
            page.goto(base + "/en/staff/u/DG/queue/")
        socket_ = opened.value
        assert socket_.url.endswith("/ws/notifications/?unit=DG")
        rows = page.locator("#queue-list table.queue tbody tr")
        expect(rows).to_have_count(0)
        page.wait_for_timeout(500)  # the socket's catch_up has been answered
        loaded_at = page.evaluate("performance.timeOrigin")

        report = citizen.new_page()
        report.goto(base + "/report/")
        if report.locator("select[name=unit]").count():
            report.locator("select[name=unit]").select_option(label="Дорноговь")
        report.locator("textarea[name=body]").fill("Төрсний гэрчилгээ авахад мөнгө нэхсэн.")
        report.locator("button[type=submit]").last.click()
        expect(report.locator("#receipt")).to_be_visible()

        expect(rows).to_have_count(1, timeout=10_000)
        expect(page.locator("#notify-count")).to_have_text("1")

        manage("shell", "-c", FROM_ANOTHER_PROCESS)
        expect(rows).to_have_count(2, timeout=10_000)
        expect(page.locator("#notify-count")).to_have_text("2")
        expect(page.locator("#notify-status")).to_have_text(
            "New notification; the list on this page was updated.")
        # Never reloaded: the same document all along.
        assert page.evaluate("performance.timeOrigin") == loaded_at
    finally:
        staff.close()
        citizen.close()
