"""A reporter's address and browser are kept nowhere: not in the database, the logs, the task
queue or the cache, and not in what the real server prints. Public pages are private by
default: not cached, no referrer, a strict content policy, nothing from elsewhere."""

import html
import http.client
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from intake.models import Message
from intake.public import views as views_public
from org.models import Unit
from tests.intake.test_web_submission import (  # noqa: F401 (fixtures)
    _own_media_folder,
    jpeg,
    lookup_token,
    pdf,
    receipt_of,
    report_form,
)
from tests.sqlite_files import database_path, migrated_copy
from tests.surveys.helpers import answer_as_a_citizen, round_open_today
from tests.vault.canary import decoded_task_tables, forms
from vault.keyring import Keyring

ROOT = Path(__file__).resolve().parents[2]

ADDRESS = "203.0.113.189"
AGENT = "ShugelProbeBrowser/7.3 (anon-probe-5d9e1c)"
FORWARDED_FOR = "198.51.100.77, 192.0.2.201"
FORWARDED = "for=198.51.100.78;proto=https"
REAL_IP = "198.51.100.79"
IDENTIFYING = [ADDRESS, AGENT, "anon-probe-5d9e1c", "198.51.100.77", "192.0.2.201",
               "198.51.100.78", REAL_IP]
HEADERS = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT,
           "HTTP_X_FORWARDED_FOR": FORWARDED_FOR, "HTTP_FORWARDED": FORWARDED,
           "HTTP_X_REAL_IP": REAL_IP}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def found_in(data: bytes) -> list[str]:
    """Which identifying values appear in `data`, in any encoding a copy could take."""
    return [value for value in IDENTIFYING if any(form in data for form in forms(value))]


def as_bytes(value) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def every_table() -> dict[str, bytes]:
    """Every row of every table, all columns, as bytes."""
    dumped = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            dumped[table] = b"\x1f".join(as_bytes(v) for row in cursor.fetchall() for v in row)
    return dumped


def everything_cached() -> bytes:
    backend = cache._cache
    if isinstance(backend, dict):  # local memory: keys and pickled values
        return b"".join(as_bytes(key) + as_bytes(value) for key, value in backend.items())
    client = backend.get_client()  # Redis
    return b"".join(key + as_bytes(client.get(key)) for key in client.keys("*"))


def all_loggers_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def visit_as_a_reporter(client) -> str:
    """Reports, follows, answers and stumbles, in both languages, the way a person would."""
    client.get("/")
    client.get("/report/")
    sent = client.post("/report/", {**report_form(client), "body": "Хээл хахууль нэхсэн.",
                                    "attachments": _file("зураг.jpg", jpeg())})
    code = receipt_of(sent)
    client.post("/en/report/", {**report_form(client, "/en"), "body": "", "phone": "x"})
    client.get("/track/")
    client.post("/track/", {"receipt": code, "token": lookup_token()})
    client.post("/en/track/", {"receipt": "0000 0000 0000 0000", "token": lookup_token()})
    client.post("/track/message/", {"receipt": code, "body": "Нэмэлт", "token": lookup_token(),
                                    "attachments": _file("акт.pdf", pdf())})
    client.get(f"/track/?receipt={code}")
    client.get("/open/")  # the open figures
    client.get("/en/open/DG/")
    client.get("/open/DG/figures.csv")
    client.get("/screen/DG/")  # the hall screen and what it reads
    client.get("/en/screen/DG/data.json")
    return code


def answer_the_survey(client, unit) -> None:
    """Answers the web survey, and sends it once wrong, in both languages."""
    survey = round_open_today(unit)
    client.get("/survey/DG/")
    assert answer_as_a_citizen(client, survey).status_code == 302
    client.get("/survey/DG/thanks/")
    assert answer_as_a_citizen(client, survey, "/en", service="crowded").status_code == 400


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.django_db
def test_no_address_agent_or_forwarded_for_is_stored_or_logged_anywhere(
    units, caplog, monkeypatch, settings
):
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)
    all_loggers_at_debug(caplog)
    client = Client(**HEADERS)
    connection.force_debug_cursor = True  # every SQL statement and its values are logged
    try:
        visit_as_a_reporter(client)
        answer_the_survey(client, units["DG"])
    finally:
        connection.force_debug_cursor = False
    # Too many lookups: the refusal is logged too.
    from intake import ratelimit

    monkeypatch.setitem(ratelimit.LIMITS, "track", (ratelimit.Limit(1, 600),
                                                    ratelimit.Limit(100, 60)))
    cache.clear()
    assert [client.post("/track/", {"receipt": "1" * 16, "token": lookup_token()}).status_code
            for _ in range(2)] == [404, 429]
    assert Message.objects.count() == 1

    tables = every_table()
    assert {table: found_in(data) for table, data in tables.items() if found_in(data)} == {}
    assert b"complaint.logged" in b"".join(tables.values()), "the scan sees what is stored"
    assert b"survey.round_opened" in b"".join(tables.values()), "the survey was scanned too"

    logged = (caplog.text + "".join(repr(vars(r)) for r in caplog.records)).encode()
    assert found_in(logged) == []
    assert b"/track/" in logged and b"INSERT INTO" in logged, "the scan sees what is logged"

    tasks = decoded_task_tables()
    assert found_in(tasks["text"].encode()) == []

    cached = everything_cached()
    assert found_in(cached) == []
    assert b"rl:" in cached, "the scan sees the rate limits' entries"

    media = b"".join(p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert found_in(media) == []


# --- the real server ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(workdir: Path) -> dict:
    own = ("SHUGEL_", "DATABASE_URL", "REDIS_URL", "DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS",
           "DEBUG", "PYTEST")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update({
        "SHUGEL_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "anonymity-test-" + "k" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SHUGEL_SSL_REDIRECT": "false",
        "SHUGEL_DATA_DIR": str(workdir / "data"),
        "DATABASE_URL": f"sqlite:///{workdir / 'data' / 'shugel.sqlite3'}",
        "SHUGEL_KEYRING": str(workdir / "keys" / "keyring.json"),
        "SHUGEL_MEDIA_ROOT": str(workdir / "data" / "media"),
        # As talkative as the logs can be made: still nothing about the client.
        "SHUGEL_LOG_LEVEL": "DEBUG",
        "PYTHONUNBUFFERED": "1",
    })
    return env


class Browser:
    """Just enough of a browser over http.client: keeps cookies (also the Secure ones a
    production site sets, since this runs over plain HTTP) and sends the identifying headers."""

    def __init__(self, port, source: str | None = None):
        self.port = port
        self.cookies = {}
        # The local address to send from (127.0.0.2 and so on: one machine, many clients).
        self.source = (source, 0) if source else None

    def request(self, method, path, body=None, content_type=None):
        headers = {"User-Agent": AGENT, "X-Forwarded-For": FORWARDED_FOR,
                   "Forwarded": FORWARDED, "X-Real-IP": REAL_IP}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                source_address=self.source)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode()
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, page

    def csrf(self, page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def form_token(self, page) -> dict:
        """The form's own token (intake/public/forms.py), sent back as a browser would."""
        found = re.search(r'name="token" value="([^"]+)"', page)
        return {"token": html.unescape(found.group(1))} if found else {}

    def post_multipart(self, path, page, fields):
        data = {"csrfmiddlewaretoken": self.csrf(page), **self.form_token(page), **fields}
        return self.request("POST", path, encode_multipart(BOUNDARY, data), MULTIPART_CONTENT)

    def post_form(self, path, page, fields):
        data = urlencode({"csrfmiddlewaretoken": self.csrf(page), **self.form_token(page),
                          **fields})
        return self.request("POST", path, data.encode(), "application/x-www-form-urlencoded")


def wait_until_healthy(browser, server, err: Path, seconds: float = 90) -> None:
    """Until /healthz answers 200; fails with the server's last output if it exits or takes
    longer than `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if browser.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        assert server.poll() is None, err.read_text()[-3000:]
        assert time.monotonic() < deadline, err.read_text()[-3000:]
        time.sleep(0.3)


def manage(env, *args, timeout=180):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=timeout)
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def installation(tmp_path) -> dict:
    """A new production installation under `tmp_path` (keyring, migrated SQLite, the unit
    DG) for a real server to serve; returns the server's environment."""
    (tmp_path / "data").mkdir()
    Keyring.generate().save(tmp_path / "keys" / "keyring.json")
    env = server_environment(tmp_path)
    migrated_copy(database_path(env))  # its migrate below then has nothing to apply
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", (
        "from org.models import Unit; Unit.objects.create(code='DG', kind='department', "
        "name_mn='Дорноговь аймгийн Улсын бүртгэлийн хэлтэс', "
        "name_en='Dornogovi Province State Registration Department')"
    ))
    return env


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_the_real_server_prints_no_address_agent_or_access_line(tmp_path):
    env = installation(tmp_path)
    port = free_port()
    out, err = tmp_path / "server.out", tmp_path / "server.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        # Exactly what `manage.py serve` runs; the task worker is not what is tested here.
        server = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--no-worker"], cwd=ROOT, env=env, stdout=stdout, stderr=stderr,
        )
        try:
            browser = Browser(port)
            wait_until_healthy(browser, server, err)

            status, form = browser.request("GET", "/report/")
            assert status == 200
            token = re.search(r'name="token" value="([^"]+)"', form).group(1)
            status, page = browser.post_multipart("/report/", form, {
                "token": token, "kind": "complaint",
                "unit": re.search(r'name="unit" value="(\d+)"', form).group(1),
                "body": "Бичиг хэргийн ажилтан мөнгө нэхсэн.",
                "attachments": _file("зураг.jpg", jpeg()),
            })
            assert status == 200, page[-2000:]
            code = re.search(r'id="receipt">([\d ]+)<', page).group(1)

            status, track = browser.request("GET", "/track/")
            status, case = browser.post_form("/track/", track, {"receipt": code})
            assert status == 200 and "Бичиг" not in case
            status, _page = browser.post_multipart("/track/message/", case, {
                "receipt": code, "body": "Нэмэлт мэдээлэл", "attachments": _file("a.pdf", pdf()),
            })
            assert status == 200
            status, _page = browser.post_form("/en/track/", track, {"receipt": "1" * 16})
            assert status == 404
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    printed = out.read_bytes() + err.read_bytes()
    assert found_in(printed) == [], printed.decode()[-3000:]
    assert not re.search(rb'"(GET|POST|HEAD) /', printed), printed.decode()[-3000:]
    assert not re.search(rb'HTTP/1\.[01]" \d{3}', printed), printed.decode()[-3000:]
    assert f"127.0.0.1:{port}".encode() in printed, "the server's own lines are captured"
    assert b"Not Found: /en/track/" in printed, "and so are the application's warnings"

    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    assert found_in(stored) == []
    assert b"complaint.logged" in stored


# --- headers and assets -------------------------------------------------------------------------

def public_pages(client):
    """Every kind of page the public side answers with."""
    pages = {"landing": client.get("/"), "report form": client.get("/report/")}
    sent = client.post("/report/", {**report_form(client), "body": "Гомдол"})
    pages["receipt"] = sent
    code = receipt_of(sent)
    pages["refused form"] = client.post("/report/", {**report_form(client), "body": ""})
    pages["already received"] = client.post("/report/", {**report_form(client), "body": "x",
                                                          "token": "y"})
    pages["track form"] = client.get("/track/")
    pages["case"] = client.post("/track/", {"receipt": code, "token": lookup_token()})
    pages["answered"] = client.post("/track/message/", {"receipt": code, "body": "Нэмэлт",
                                                        "token": lookup_token()})
    pages["not found"] = client.post("/track/", {"receipt": "1" * 16, "token": lookup_token()})
    pages["too large"] = client.post("/report/", b"", content_type="text/plain",
                                     CONTENT_LENGTH=str(200 * 2**20))
    pages["english case"] = client.post("/en/track/", {"receipt": code,
                                                       "token": lookup_token()})
    survey = round_open_today(Unit.objects.get(code="DG"))
    pages["survey"] = client.get("/survey/DG/")
    pages["survey refused"] = answer_as_a_citizen(client, survey, service="got")
    pages["survey thanks"] = client.get(answer_as_a_citizen(client, survey)["Location"])
    pages["survey closed"] = client.get("/en/survey/DU/")
    pages["open figures"] = client.get("/open/")
    pages["open figures of a unit"] = client.get("/en/open/DG/")
    pages["hall screen"] = client.get("/screen/DG/")
    return pages


@pytest.mark.django_db
def test_public_pages_are_not_cached_send_no_referrer_and_a_strict_policy(
    client, units, monkeypatch
):
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)
    for name, response in public_pages(client).items():
        assert "no-store" in response["Cache-Control"], name
        assert response["Referrer-Policy"] == "no-referrer", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["X-Frame-Options"] == "DENY", name
        policy = dict(
            (part.strip().split(" ", 1) + [""])[:2]
            for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'self'", name
        assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'", name
        assert policy["form-action"] == "'self'" and policy["frame-ancestors"] == "'none'", name
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'", name
        assert "unsafe" not in response["Content-Security-Policy"], name
        assert "http" not in response["Content-Security-Policy"], name


@pytest.mark.django_db
def test_public_pages_load_nothing_from_elsewhere_and_need_no_javascript(
    client, units, monkeypatch
):
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)
    for name, response in public_pages(client).items():
        page = response.content.decode()
        assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", page), name
        # Only our own files, deferred, for enhancements a page works without (the receipt's
        # print and copy buttons, whose hints stand in for them): never inline code.
        scripts = re.findall(r"<script[^>]*>", page)
        own = re.compile(r'<script src="/static/js/[a-z_]+\.js" defer>')
        assert all(own.fullmatch(tag) for tag in scripts), (name, scripts)
        assert "</script>" not in page.replace("defer></script>", ""), name
        assert "<iframe" not in page, name
        assert not re.search(r"\son[a-z]+=", page), name  # no inline event handlers
        assert '<meta name="referrer" content="no-referrer">' in page, name
