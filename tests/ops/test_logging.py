"""Structured logs, and nothing personal in them.

The log is one JSON object per line in production (SHUGEL_LOG_FORMAT=json, the default
there), plain text elsewhere. The real server, started exactly as deploy/systemd's web unit
starts it, is sent the public pages and a full web report with canaries in its text and
a canary phone number, from a browser that gives its address and agent in every header it
can; nothing it prints may hold any of them, and every line must be JSON.
"""

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.logging import DropRequestDetails, JsonFormatter
from tests.intake.test_anonymity import (
    AGENT,
    IDENTIFYING,
    Browser,
    _file,
    found_in,
    free_port,
    manage,
    server_environment,
    wait_until_healthy,
)
from tests.intake.test_web_submission import jpeg, pdf
from tests.ops.deploy import exec_start, runnable_here
from tests.sqlite_files import database_path, migrated_copy
from tests.vault.canary import canary, forms
from vault.keyring import Keyring

ROOT = Path(__file__).resolve().parents[2]
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def emit(record_logger: str, *args, level=logging.INFO, extra=None, exc_info=None) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(DropRequestDetails())
    logger = logging.getLogger(record_logger)
    logger.addHandler(handler)
    try:
        logger.log(level, *args, extra=extra, exc_info=exc_info)
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    return json.loads(line)


# --- the format -------------------------------------------------------------------------------

def test_a_line_has_utc_time_level_logger_message_and_event_fields():
    line = emit("shugel.test", "Delivered %s of %s", 2, 3,
                extra={"event": "outbox.delivered", "attempts": 2, "fast": True,
                       "params": ("a", "b"), "request": object()})
    assert ISO_UTC.match(line["time"]), line["time"]
    assert line["level"] == "INFO" and line["logger"] == "shugel.test"
    assert line["message"] == "Delivered 2 of 3"
    assert line["event"] == "outbox.delivered" and line["attempts"] == 2 and line["fast"]
    assert "params" not in line, "only simple values are event fields"
    assert "request" not in line, "the request never reaches a line"


def test_a_traceback_stays_on_its_line():
    try:
        raise ValueError("broken\non two lines")
    except ValueError:
        line = emit("shugel.test", "failed", level=logging.ERROR, exc_info=True)
    assert "ValueError: broken\non two lines" in line["exception"]


def test_mongolian_is_written_as_it_is():
    assert emit("shugel.test", "Шүгэл өргөдөл")["message"] == "Шүгэл өргөдөл"


def test_uvicorns_websocket_lines_lose_the_clients_address():
    line = emit("uvicorn.error", '%s - "WebSocket %s" [accepted]', "203.0.113.9:51234",
                "/ws/notifications/")
    assert line["message"] == '- - "WebSocket /ws/notifications/" [accepted]'
    line = emit("uvicorn.error", '%s - "WebSocket %s" %d', "203.0.113.9:51234", "/ws/x", 403)
    assert "203.0.113.9" not in json.dumps(line)


# --- which format, by environment -------------------------------------------------------------

def chosen_format(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SHUGEL_", "DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS",
                                 "DATABASE_URL", "DEBUG", "PYTEST"))}
    if env.get("SHUGEL_ENV") == "production":
        base.update(server_environment(tmp_path))
        base.pop("SHUGEL_LOG_LEVEL")
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import "
         "settings; print(settings.LOGGING['handlers']['console']['formatter'])"],
        cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.slow  # a whole Django process of its own
@pytest.mark.parametrize(("env", "expected"), [
    ({"SHUGEL_ENV": "production"}, "json"),
    ({"SHUGEL_ENV": "production", "SHUGEL_LOG_FORMAT": "plain"}, "plain"),
    ({"SHUGEL_ENV": "development"}, "plain"),
    ({"SHUGEL_ENV": "development", "SHUGEL_LOG_FORMAT": "json"}, "json"),
])
def test_the_format_is_chosen_by_the_environment(tmp_path, env, expected):
    done = chosen_format(tmp_path, **env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == expected


def test_an_unknown_format_is_refused(tmp_path):
    done = chosen_format(tmp_path, SHUGEL_ENV="development", SHUGEL_LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "SHUGEL_LOG_FORMAT must be json or plain" in done.stderr


# --- the real server ------------------------------------------------------------------------

def try_websocket(port: int) -> None:
    """A websocket handshake to the staff channel from the probing browser: refused (it is
    not signed in), and uvicorn logs the attempt."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(f"ws://127.0.0.1:{port}/ws/notifications/",
                     additional_headers={"X-Forwarded-For": "198.51.100.77",
                                         "X-Real-IP": "198.51.100.79"},
                     user_agent_header=AGENT, origin="http://127.0.0.1", open_timeout=10):
            pass
    except (InvalidStatus, OSError, EOFError):
        return
    except Exception as error:  # noqa: BLE001 - a closed handshake is also a refusal
        if "1006" not in str(error) and "closed" not in str(error).lower():
            raise


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_the_deployed_web_server_logs_json_lines_with_no_canary_address_or_agent(tmp_path):
    (tmp_path / "data").mkdir()
    Keyring.generate().save(tmp_path / "keys" / "keyring.json")
    env = server_environment(tmp_path)
    assert "SHUGEL_LOG_FORMAT" not in env, "production's default format is what is tested"
    migrated_copy(database_path(env))  # its migrate below then has nothing to apply
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", (
        "from org.models import Unit; Unit.objects.create(code='DG', kind='department', "
        "name_mn='Дорноговь аймгийн Улсын бүртгэлийн хэлтэс', "
        "name_en='Dornogovi Province State Registration Department')"
    ))
    text, place, who, name = canary(), canary(), canary(), canary()
    phone, phone_e164 = "9911 4477", "+97699114477"
    port = free_port()
    command = runnable_here(exec_start("shugel-web.service"), **{
        "--port": str(port), "--workers": "2"})
    out, err = tmp_path / "server.out", tmp_path / "server.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout, stderr=stderr,
                                  start_new_session=True)
        try:
            browser = Browser(port)
            wait_until_healthy(browser, server, err)

            for path in ("/", "/en/", "/report/", "/track/", "/no-such-page/"):
                browser.request("GET", path)
            status, form = browser.request("GET", "/report/")
            assert status == 200
            token = re.search(r'name="token" value="([^"]+)"', form).group(1)
            status, page = browser.post_multipart("/report/", form, {
                "token": token, "kind": "complaint",
                "unit": re.search(r'name="unit" value="(\d+)"', form).group(1),
                "body": f"Бичиг хэргийн ажилтан мөнгө нэхсэн. {text}",
                "where": place, "who": who, "name": name, "phone": phone,
                "attachments": _file(f"{canary()}.jpg", jpeg(exif_artist=canary())),
            })
            assert status == 200, page[-2000:]
            code = re.search(r'id="receipt">([\d ]+)<', page).group(1)
            status, track = browser.request("GET", "/track/")
            status, case = browser.post_form("/track/", track, {"receipt": code})
            assert status == 200 and text not in case
            status, _page = browser.post_multipart("/track/message/", case, {
                "receipt": code, "body": f"Нэмэлт {canary()}",
                "attachments": _file("a.pdf", pdf(canary())),
            })
            assert status == 200
            status, _page = browser.post_form("/en/track/", track, {"receipt": "1" * 16})
            assert status == 404
            status, _page = browser.post_form("/report/", form, {"token": "x", "body": text})
            try_websocket(port)
        finally:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    printed = out.read_bytes() + err.read_bytes()
    assert found_in(printed) == [], printed.decode()[-3000:]
    assert not re.search(rb"\b(?:\d{1,3}\.){3}\d{1,3}:\d{2,5}\b(?!/)", printed.replace(
        f"127.0.0.1:{port}".encode(), b"")), "no client address with its port"
    for secret in (text, place, who, name, phone, phone_e164, code, code.replace(" ", "")):
        assert not any(form in printed for form in forms(secret)), secret
    assert b"\xd0\xba\xd0\xb0\xd0\xbd\xd0\xb0\xd1\x80" not in printed  # the canary marker

    lines = [line for line in printed.decode().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    for record in records:
        assert set(record) >= {"time", "level", "logger", "message"}, record
        assert ISO_UTC.match(record["time"]), record
    messages = [record["message"] for record in records]
    assert any(m.startswith("Started parent process") for m in messages), messages
    assert sum(m.startswith("Started server process") for m in messages) == 2, messages
    assert f"127.0.0.1:{port}" in " ".join(messages), "the server's own lines are captured"
    assert any("Not Found: /en/track/" in m for m in messages), "and the application's"
    assert any('"WebSocket /ws/notifications/"' in m for m in messages), messages
    assert not [m for m in messages if re.search(r'"(GET|POST|HEAD) /', m)]
    assert IDENTIFYING  # the probe's values, searched for above


def test_an_outage_is_logged_at_once_then_once_a_period_even_just_after_boot(monkeypatch):
    from core import logging as core_logging

    clock = iter([12.0, 13.0, 311.0, 313.0])  # a machine booted twelve seconds ago
    monkeypatch.setattr(core_logging.time, "monotonic", lambda: next(clock))
    every = core_logging.Every(300)
    assert [every.due() for _ in range(4)] == [True, False, False, True]


@pytest.mark.django_db
def test_a_refused_request_is_one_line_without_the_refusals_traceback(
        client, personas, signed_in, caplog):
    """The access rules refusing someone is logged as the refusal, not as a fault with its
    traceback; a real fault keeps its traceback."""
    signed_in(personas["clerk"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("django.request").addHandler(handler)
    try:
        assert client.get("/staff/u/DG/referrals/").status_code == 403
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["message"] == "Forbidden (Permission denied): /staff/u/DG/referrals/"
    assert line["level"] == "WARNING" and "exception" not in line
    assert "Traceback" not in stream.getvalue()
    try:
        raise ValueError("a fault")
    except ValueError:
        fault = emit("django.request", "Internal Server Error: /x", level=logging.ERROR,
                     exc_info=True)
    assert "ValueError: a fault" in fault["exception"]
