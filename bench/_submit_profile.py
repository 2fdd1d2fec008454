"""`bench/intake_submit.py --profile`: where the CPU of one anonymous web submission goes.

The submission goes through the site's own ASGI application (config.asgi, as uvicorn runs
it: the limits in front, Django's handler with its pooled request threads, the middleware,
the view) in this process, with the benchmark's settings and a throwaway SQLite database;
only the HTTP parsing of the server is left out. Each stage is timed by wrapping the function
that does it, and a stage's time is its own: what a stage spends inside another stage is
counted to the inner one. What the view spends outside every named stage (the ORM's writes,
the transaction, the glue between the steps) is "view, the rest"; what the request spends
in the middleware is "middleware"; what it spends in the ASGI handler outside Django's
middleware (building the request, sending the response, moving to the request's thread and
back) is "ASGI handler and threads". The times are CPU seconds of the whole process
(time.process_time), so the work done in the request threads is counted; one submission is
profiled at a time.

Only the POST is profiled by stage; the GET that fetches the form is timed as a whole beside
it (its template is a stage of its own).
"""

import asyncio
import importlib
import inspect
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from functools import wraps
from pathlib import Path

from _load_clients import multipart
from _setup import ROOT, cleanup, throwaway_environment

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')

# (stage, module, attribute): the function whose time is the stage's. An attribute with a
# dot is a method of a class in the module.
STAGES = (
    ("ASGI handler and threads", "django.core.handlers.asgi", "ASGIHandler.handle"),
    ("middleware", "django.core.handlers.base", "BaseHandler.get_response"),
    ("view, the rest (building queries and rows, glue)", "django.core.handlers.base",
     "BaseHandler._get_response"),
    ("form token check", "intake.public.views", "form_token_age"),
    ("rate limit and pacing", "intake.ratelimit", "allow"),
    ("rate limit and pacing", "intake.ratelimit", "under_pressure"),
    ("form and upload parsing", "intake.public.forms", "WebReportForm.full_clean"),
    ("form and upload parsing", "django.http.request", "HttpRequest._load_post_and_files"),
    ("receipt hash (Argon2id)", "intake.services", "receipt_hash"),
    ("reference number", "intake.services", "next_reference"),
    ("legal clocks", "intake.services", "_clocks"),
    ("recusal matching", "intake.services", "named_staff"),
    ("sealing (AES-GCM, data key)", "vault.crypto", "seal"),
    ("sealing (AES-GCM, data key)", "vault.models", "DataKeyManager.create_fresh"),
    ("audit append", "intake.services", "record"),
    ("notification", "intake.services", "emit"),
    ("receipt page (signed switch, template)", "intake.public.views", "receipt_page"),
    ("report form page (template)", "intake.public.views", "_report_page"),
    ("kept pages (form, receipt): values put in", "intake.public.views", "kept_page"),
    ("kept pages (form, receipt): values put in", "intake.public.receipt_page", "kept_page"),
    ("database: executing SQL", "django.db.backends.utils", "CursorWrapper._execute"),
    ("database: executing SQL", "django.db.backends.utils", "CursorWrapper._executemany"),
    ("database: commit", "django.db.backends.base.base", "BaseDatabaseWrapper.commit"),
)


class Stopwatch:
    """Exclusive CPU time per stage: a stack of the stages under way."""

    def __init__(self):
        self.spent = defaultdict(float)
        self.stack: list[list] = []  # [stage, started, spent in inner stages]

    def enter(self, stage: str) -> None:
        self.stack.append([stage, time.process_time(), 0.0])

    def leave(self) -> None:
        stage, started, inner = self.stack.pop()
        elapsed = time.process_time() - started
        self.spent[stage] += elapsed - inner
        if self.stack:
            self.stack[-1][2] += elapsed


def _timed(function, stage: str, watch: Stopwatch):
    if asyncio.iscoroutinefunction(function):
        @wraps(function)
        async def timed_async(*args, **kwargs):
            watch.enter(stage)
            try:
                return await function(*args, **kwargs)
            finally:
                watch.leave()
        return timed_async

    @wraps(function)
    def timed(*args, **kwargs):
        watch.enter(stage)
        try:
            return function(*args, **kwargs)
        finally:
            watch.leave()
    return timed


def _wrap_stages(watch: Stopwatch) -> None:
    for stage, module_name, attribute in STAGES:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        try:
            raw = inspect.getattr_static(owner, name)
        except AttributeError:  # a stage an older checkout does not have (run before/after)
            continue
        if isinstance(raw, classmethod):
            setattr(owner, name, classmethod(_timed(raw.__func__, stage, watch)))
        else:
            setattr(owner, name, _timed(raw, stage, watch))


def _set_up(workdir: Path, settings: str) -> None:
    os.environ.update({**throwaway_environment(workdir, settings),
                       "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}"})
    for name in ("SHUGEL_KEYRING_JSON", "REDIS_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from org.models import Unit
    from vault.keyring import Keyring, reload_keyring

    Keyring.generate().save(workdir / "keyring.json")
    reload_keyring()
    call_command("migrate", verbosity=0)
    Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, public_phone="7052-2200",
                        name_mn="Дорноговь аймгийн Улсын бүртгэлийн хэлтэс",
                        name_en="Dornogovi Province State Registration Department")


class _Client:
    """A browser of one citizen, talking ASGI to `app`: the CSRF cookie it was given."""

    def __init__(self, app):
        self.app, self.cookie = app, b""

    async def request(self, method: str, path: str, body: bytes = b"", headers=()):
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path,
                 "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"127.0.0.1"), *headers,
                             *([(b"cookie", self.cookie)] if self.cookie else [])],
                 "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status, chunks = None, []

        async def receive():
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # no disconnect: the client waits for the answer

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message["headers"]:
                    if name.lower() == b"set-cookie" and value.startswith(b"csrftoken="):
                        self.cookie = value.split(b";")[0]
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def _one(app, body: str) -> tuple[float, float, bool]:
    """One citizen, with no cookie yet: GET the form, POST the report. CPU seconds of each,
    and whether the receipt came back."""
    client = _Client(app)
    started = time.process_time()
    _status, page = await client.request("GET", "/report/")
    got = time.process_time() - started
    fields = dict(HIDDEN.findall(page.decode()))
    fields.update({"kind": "complaint", "body": body, "where": "Сайншанд",
                   "when": "өнгөрсөн долоо хоногт", "website": ""})
    form, content_type = multipart(fields)
    started = time.process_time()
    status, page = await client.request("POST", "/report/", form, [
        (b"content-type", content_type.encode()), (b"content-length", str(len(form)).encode()),
        (b"origin", b"null")])
    posted = time.process_time() - started
    return got, posted, status == 200 and b'id="receipt"' in page


def profile(settings: str, body: str, count: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="shugel-bench-profile-"))
    try:
        _set_up(workdir, settings)
        watch = Stopwatch()
        _wrap_stages(watch)  # before the application is made, which builds the middleware
        from config.asgi import application

        async def run():
            for _ in range(5):  # warm caches, templates, threads and connections first
                await _one(application, body)
            watch.spent.clear()
            gets, posts, failed = 0.0, 0.0, 0
            for _ in range(count):
                watch.enter("outside any stage (this client, the event loop)")
                got, posted, ok = await _one(application, body)
                watch.leave()
                gets, posts, failed = gets + got, posts + posted, failed + (not ok)
            return gets, posts, failed

        _print(watch, count, *asyncio.run(run()))
    finally:
        cleanup(workdir)


def _print(watch: Stopwatch, count: int, gets: float, posts: float, failed: int) -> None:
    total = sum(watch.spent.values())
    print(f"intake_submit --profile: {count} submissions in process through config.asgi "
          f"(SQLite); CPU per submission (GET + POST) {total / count * 1000:.1f} ms, of which "
          f"the POST {posts / count * 1000:.1f} ms and the GET {gets / count * 1000:.1f} ms"
          f"{f'; {failed} FAILED' if failed else ''}")
    for stage, spent in sorted(watch.spent.items(), key=lambda item: -item[1]):
        print(f"  {stage:<52} {spent / count * 1000:7.2f} ms  {spent / total:6.1%}")
