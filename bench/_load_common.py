"""Shared by bench/load.py and bench/faults.py: a deployment of its own (data dir, keyring,
database, server processes), the clients that drive it, and the checks after.

The harness never imports Django: everything that needs it runs in a process of its own
(manage.py, bench/_load_django.py), so a server can be killed and started again without
the harness holding a connection or a lock. Every request goes to 127.0.0.1 only.
"""

import http.client
import http.cookies
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from _setup import ROOT, throwaway_environment

PYTHON = sys.executable
# The real settings with the public rate limits raised (one machine is one address) and the
# floor endpoint added: see bench/intake_submit_settings.py. Nothing else differs.
SETTINGS = "bench.intake_submit_settings"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REQUEST_TIMEOUT = 60.0  # what a proxy in front (nginx: proxy_read_timeout) waits

BODY = (
    "Улсын бүртгэлийн хэлтэст иргэний үнэмлэх солиулахаар очиход ажилтан бичиг баримтыг "
    "хурдан гаргахын тулд мөнгө нэхсэн. Дараалал удаан, тайлбар өгөөгүй. "
) * 2
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
RECEIPT = re.compile(r'id="receipt">([^<]+)<')
REFERENCE = re.compile(r"<strong>([A-Z]+-\d{4}-\d+)</strong>")
CASE_LINK = re.compile(r'href="(/staff/u/[A-Z]+/c/[A-Z]+-\d{4}-\d+/)"')
LOCKED = "database is locked"


# --- the deployment ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Deployment:
    """One Shugel installation in a temp dir. `embedded`: `manage.py serve` (uvicorn and the
    django-q worker, one process each) on SQLite. Otherwise (scaled) uvicorn with several
    worker processes plus a separate `manage.py qcluster`, on PostgreSQL (`database_url`
    names the server; a new database is made on it and dropped at the end) and Redis."""

    def __init__(self, workdir: Path, *, embedded: bool, admin_url: str = ADMIN_URL,
                 redis_url: str = "", web_workers: int = 4, staff: int = 5):
        self.workdir, self.embedded, self.web_workers = workdir, embedded, web_workers
        self.staff_count = staff
        self.port = free_port()
        self.processes: list[subprocess.Popen] = []
        self.starts = 0
        self.admin_url = None if embedded else admin_url
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SHUGEL_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))}
        self.env.update({
            **throwaway_environment(workdir, SETTINGS),
            "SHUGEL_REQUIRE_2FA": "true",
            "SHUGEL_LOG_FORMAT": "plain",
            "SHUGEL_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        })
        if embedded:
            self.env["DATABASE_URL"] = f"sqlite:///{workdir / 'shugel.sqlite3'}"
        else:
            self.db_name = f"shugel_load_{secrets.token_hex(4)}"
            parts = urlsplit(admin_url)
            self.env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{self.db_name}"))
            if redis_url:
                self.env["REDIS_URL"] = redis_url
        self.session_info: dict = {}

    @property
    def vendor(self) -> str:
        if self.embedded:
            return "SQLite, manage.py serve (1 uvicorn process + django-q worker)"
        redis = " + Redis" if self.env.get("REDIS_URL") else ""
        return (f"PostgreSQL{redis}, uvicorn with {self.web_workers} worker processes "
                "+ django-q worker")

    def run(self, *command: str, check: bool = True, timeout: float = 600) -> str:
        done = subprocess.run([PYTHON, *command], cwd=ROOT, env=self.env, timeout=timeout,
                              capture_output=True, text=True)
        if check and done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n"
                             f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout

    def django(self, *args: str, timeout: float = 600) -> dict:
        return json.loads(self.run("bench/_load_django.py", *args, timeout=timeout)
                          .strip().splitlines()[-1])

    def set_up(self) -> None:
        if self.admin_url:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self.run("manage.py", "keys", "generate")
        self.run("manage.py", "migrate", "--verbosity", "0")
        self.run("manage.py", "seed_demo")
        self.session_info = self.django("setup", str(self.staff_count))

    # The servers.

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _spawn(self, name: str, command: list[str]) -> None:
        with open(self.log_path(name), "ab") as out:
            self.processes.append(subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True))

    def start(self, wait: float = 90) -> None:
        self.starts += 1
        if self.embedded:
            self._spawn("server", [PYTHON, "manage.py", "serve", "--port", str(self.port)])
        else:
            # bench/intake_submit.py's server: `uvicorn --workers N` with TCP_NODELAY.
            self._spawn("server", [PYTHON, "bench/intake_submit.py", "--serve",
                                   str(self.port), "--workers", str(self.web_workers)])
            self._spawn("worker", [PYTHON, "manage.py", "qcluster"])
        self.wait_until_up(wait)

    def wait_until_up(self, wait: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < wait:
            for process in self.processes:
                if process.poll() is not None:
                    raise SystemExit(f"a server process stopped:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer in {wait:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL to every process of the deployment (uvicorn, its workers, django-q's)."""
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for process in self.processes:
            process.wait()
        self.processes = []

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + 20
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace")
                       for path in sorted(self.workdir.glob("*.log")))

    def log_tail(self, chars: int = 4000) -> str:
        return self.logs()[-chars:]

    def clean_up(self) -> None:
        self.stop()
        if self.admin_url:
            import psycopg

            try:
                with psycopg.connect(self.admin_url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            except psycopg.Error as error:
                print(f"could not drop {self.db_name}: {error}", file=sys.stderr)
        shutil.rmtree(self.workdir, ignore_errors=True)


class PostgresCluster:
    """A PostgreSQL cluster of the harness's own: `initdb` as the postgres user into a temp
    dir, served on `port` of 127.0.0.1 only, trust authentication. Never the shared server."""

    def __init__(self, port: int = 5499, max_connections: int = 400):
        self.port, self.max_connections = port, max_connections
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not bins:
            raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = bins[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="shugel-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / command[0]),
                        *command[1:]], check=True, capture_output=True, timeout=120)

    def create(self) -> "PostgresCluster":
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                          "-E", "UTF8", "--no-instructions")
        self.start()
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
                   f"-c max_connections={self.max_connections}")
        self._as_postgres("pg_ctl", "-D", str(self.data), "-o", options,
                          "-l", str(self.dir / "postgres.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def errors(self, limit: int = 40) -> str:
        """The server's own account of what failed (deadlocks name their statements)."""
        try:
            lines = (self.dir / "postgres.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        wanted = [line for line in lines
                  if any(word in line for word in ("ERROR", "DETAIL", "STATEMENT", "CONTEXT",
                                                   "FATAL", "Process "))]
        return "\n".join(wanted[-limit:])

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """A redis-server of the harness's own on `port` (never the shared one), no persistence."""

    def __init__(self, port: int = 6391):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> "RedisServer":
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--daemonize", "yes"],
                       check=True, capture_output=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                  capture_output=True, text=True)
            if done.stdout.strip() == "PONG":
                return self
            time.sleep(0.1)
        raise SystemExit(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
                       capture_output=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],
                                  capture_output=True, text=True)
            if done.returncode != 0 or "PONG" not in done.stdout:
                return
            time.sleep(0.1)


# --- clients ----------------------------------------------------------------------------------

@dataclass
class Sample:
    kind: str  # submit, form, floor, queue, case, read, acknowledge, track
    started: float  # time.monotonic()
    ms: float
    status: int  # 0: no answer (refused, reset, timeout)
    error: str = ""  # "" when fine; else what went wrong
    clean: bool = True  # a failure the user sees as a proper page or a refused connection
    receipt: str = ""
    reference: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def judge_failure(status: int, page: bytes) -> bool:
    """A 5xx is clean when it is the site's own error page: HTML, no traceback."""
    text = page.decode(errors="replace")
    return ("Traceback" not in text and "<h1>" in text
            and 'File "' not in text and "Exception" not in text)


class Browser:
    """One client: a keep-alive connection and its cookies, as a browser keeps them."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.connection = None
        self.cookies = dict(cookies or {})

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                         timeout=REQUEST_TIMEOUT)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            page = response.read()
        except (http.client.HTTPException, OSError):
            self.close()
            if not reused or method != "GET":
                raise
            # A keep-alive connection the server had closed: a browser tries once more.
            return self.send(method, path, body, headers)
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response, page

    def timed(self, kind: str, method: str, path: str, body=None, headers=None):
        """(Sample, page): the sample says whether it failed, and how."""
        started = time.monotonic()
        try:
            response, page = self.send(method, path, body, headers)
        except TimeoutError:
            return Sample(kind, started, (time.monotonic() - started) * 1000, 0,
                          "timeout"), b""
        except (http.client.HTTPException, OSError) as error:
            self.close()
            return Sample(kind, started, (time.monotonic() - started) * 1000, 0,
                          f"no answer ({type(error).__name__})"), b""
        ms = (time.monotonic() - started) * 1000
        sample = Sample(kind, started, ms, response.status)
        if response.status >= 500:
            sample.error = f"HTTP {response.status}"
            sample.clean = judge_failure(response.status, page)
        return sample, page


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n" for name, value in fields.items()]
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def submit_report(browser: Browser, unit: int, think: float = 0.0) -> list[Sample]:
    """GET /report/ for the form's token and the CSRF cookie, wait `think` seconds (the
    person writing), then POST a report and read the receipt from the page. Returns the
    form's sample and, if it came, the submission's."""
    form, page = browser.timed("form", "GET", "/report/")
    if not form.ok:
        return [form]
    fields = dict(HIDDEN.findall(page.decode(errors="replace")))
    if form.status != 200 or "token" not in fields or "csrftoken" not in browser.cookies:
        form.error = f"form not served (HTTP {form.status})"
        return [form]
    fields.update({"unit": str(unit), "kind": "complaint", "body": BODY,
                   "where": "Сайншанд", "when": "өнгөрсөн долоо хоногт", "website": ""})
    body, content_type = multipart(fields)
    if think:
        # The server drops an idle keep-alive connection after 5 s; the person's browser
        # sends the report on a new one.
        browser.close()
        time.sleep(think)
    sent, page = browser.timed("submit", "POST", "/report/", body, {
        "Content-Type": content_type, "Origin": "null"})
    if sent.ok:
        text = page.decode(errors="replace")
        receipt, reference = RECEIPT.search(text), REFERENCE.search(text)
        if sent.status == 200 and receipt:
            sent.receipt = receipt.group(1).strip()
            sent.reference = reference.group(1) if reference else ""
        elif sent.status != 409:  # 409: the same form arrived twice, and was kept once
            sent.error = f"no receipt (HTTP {sent.status})"
    return [form, sent]


def track(browser: Browser, receipt: str, reference: str = "") -> Sample:
    form, page = browser.timed("track", "GET", "/track/")
    if not form.ok:
        return form
    fields = dict(HIDDEN.findall(page.decode(errors="replace")))
    body = urlencode({**fields, "receipt": receipt}).encode()
    found, page = browser.timed("track", "POST", "/track/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": "null"})
    if found.ok and (found.status != 200 or reference.encode() not in page):
        found.error = f"receipt not found (HTTP {found.status})"
    return found


def post_floor(browser: Browser) -> Sample:
    sample, page = browser.timed("floor", "POST", "/bench/floor/", b"",
                                 {"Content-Type": "text/plain"})
    if sample.ok and (sample.status != 200 or page != b"ok"):
        sample.error = f"floor answered HTTP {sample.status}"
    return sample


class Staff:
    """A signed-in officer working the queue: open it, open a case, read it (an audited
    POST), acknowledge it when it is new."""

    def __init__(self, port: int, info: dict, session_key: str):
        self.info = info
        self.browser = Browser(port, {info["session_cookie"]: session_key})
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"

    def post(self, kind: str, path: str, page: bytes) -> tuple[Sample, bytes]:
        fields = dict(HIDDEN.findall(page.decode(errors="replace")))
        token = fields.get("csrfmiddlewaretoken", "")
        body = urlencode({"csrfmiddlewaretoken": token}).encode()
        sample, page = self.browser.timed(kind, "POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})
        if sample.ok and sample.status not in (200, 302, 409):
            sample.error = f"HTTP {sample.status}"
        return sample, page

    def round(self, rng) -> list[Sample]:
        unit = self.info["unit_code"]
        samples = []
        queue, page = self.browser.timed("queue", "GET", f"/staff/u/{unit}/queue/")
        samples.append(queue)
        if not queue.ok:
            return samples
        if queue.status != 200:
            queue.error = f"queue answered HTTP {queue.status}"
            return samples
        cases = CASE_LINK.findall(page.decode(errors="replace"))
        if not cases:
            return samples
        link = rng.choice(cases[:10])
        case, page = self.browser.timed("case", "GET", link)
        samples.append(case)
        if not case.ok or case.status != 200:
            if case.ok:
                case.error = f"case answered HTTP {case.status}"
            return samples
        read, _ = self.post("read", link + "read/", page)
        samples.append(read)
        if f'action="{link}acknowledge/"'.encode() in page:
            samples.append(self.post("acknowledge", link + "acknowledge/", page)[0])
        return samples


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    started: float = 0.0
    seconds: float = 0.0

    def of(self, *kinds: str) -> list[Sample]:
        return [s for s in self.samples if s.kind in kinds]

    def receipts(self) -> list[Sample]:
        return [s for s in self.samples if s.receipt]


def drive(port: int, *, clients: int, seconds: float, info: dict, staff: int = 0,
          floor: bool = False, pause_on_failure: float = 0.2, think: float = 0.0) -> Run:
    """`clients` reporters (or floor clients) and `staff` officers work back to back for
    `seconds`; every sample is kept. A reporter spends about `think` seconds between the
    form and sending it (0: none, the harshest load); the floor clients never wait."""
    import random

    run = Run(started=time.monotonic(), seconds=seconds)
    lock = threading.Lock()
    stop_at = run.started + seconds

    def reporter(number):
        browser = Browser(port)
        mine = []
        rng = random.Random(number)
        if think and not floor:
            # People do not all open the form at the same moment, nor write equally fast:
            # each starts within one think time and takes 0.5 to 1.5 of it to write.
            time.sleep(rng.uniform(0, think))
        while time.monotonic() < stop_at:
            got = ([post_floor(browser)] if floor
                   else submit_report(browser, info["unit"],
                                      think and rng.uniform(0.5 * think, 1.5 * think)))
            mine.extend(got)
            if not all(s.ok for s in got):
                time.sleep(pause_on_failure)
        browser.close()
        with lock:
            run.samples.extend(mine)

    def officer(number):
        rng = random.Random(number)
        worker = Staff(port, info, info["sessions"][number % len(info["sessions"])])
        mine = []
        while time.monotonic() < stop_at:
            got = worker.round(rng)
            mine.extend(got)
            if not all(s.ok for s in got):
                time.sleep(pause_on_failure)
        worker.browser.close()
        with lock:
            run.samples.extend(mine)

    threads = [threading.Thread(target=reporter, args=(n,), daemon=True)
               for n in range(clients)]
    threads += [threading.Thread(target=officer, args=(n,), daemon=True) for n in range(staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def track_all(port: int, receipts: list[Sample], clients: int = 16) -> list[tuple[Sample, Sample]]:
    """Looks every shown receipt up on /track/; returns (submission, lookup) of those that
    did not resolve."""
    missing = []
    lock = threading.Lock()
    todo = list(receipts)

    def client():
        browser = Browser(port)
        while True:
            with lock:
                if not todo:
                    break
                shown = todo.pop()
            for _attempt in range(3):
                found = track(browser, shown.receipt, shown.reference)
                if found.ok or found.status:
                    break
                time.sleep(0.5)
            if not found.ok:
                with lock:
                    missing.append((shown, found))
        browser.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return missing


# --- figures ----------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def rate(samples: list[Sample], run: Run) -> float:
    """Good requests per second: all that succeeded over the time from the run's start to
    the last one's end (clients start no new request after `run.seconds`, and the ones in
    flight then are waited for)."""
    good = [s for s in samples if s.ok]
    if not good:
        return 0.0
    end = max(s.started + s.ms / 1000 for s in run.samples)
    return len(good) / max(end - run.started, run.seconds)


def latency_line(label: str, samples: list[Sample], run: Run) -> str:
    good = [s.ms for s in samples if s.ok]
    failed = len(samples) - len(good)
    return (f"{label:26} {rate(samples, run):7.1f} /s   p50 {percentile(good, .5):6.0f} ms"
            f"   p95 {percentile(good, .95):6.0f} ms   max {max(good, default=float('nan')):6.0f}"
            f" ms   ({len(good)} ok, {failed} failed)")


def failures(samples: list[Sample]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for sample in samples:
        if not sample.ok:
            key = f"{sample.kind}: {sample.error}" + ("" if sample.clean else " (NOT clean)")
            counted[key] = counted.get(key, 0) + 1
    return counted


def server_problems(logs: str) -> dict[str, int]:
    """What the servers' output says went wrong: locks, tracebacks, 5xx logged by Django."""
    return {
        "database is locked": logs.count(LOCKED),
        "tracebacks in the log": logs.count("Traceback (most recent call last)"),
    }
