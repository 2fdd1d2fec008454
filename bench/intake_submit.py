"""Anonymous web submissions per second through the real ASGI server, against two floors.

The script starts uvicorn on 127.0.0.1 (a free port, one worker per core unless told
otherwise) with a database of its own: a fresh PostgreSQL database beside the one
DATABASE_URL names when it names one (dropped at the end), else SQLite in a temp dir. It
migrates it, makes a keyring in the temp dir (SHUGEL_KEYRING, SHUGEL_DATA_DIR) and one unit.
Then 20 clients (threads, http.client) each loop: GET /report/ for the CSRF cookie, the CSRF
token and the form's one-time token, then POST a report and check the receipt page.

Measured in the same run:
  floor (a): POST /bench/floor/ through the same server and middleware, inserting one row
             (bench/intake_submit_urls.py; the benchmark's URL configuration only);
  floor (b): the receipt's Argon2id hash alone (intake.receipts._hash) on every core,
             before and after the load (the mean of the two).
Every submission costs one such hash, so (b) bounds what the server can reach. The same
comparison is printed in CPU time too (the server processes' CPU per submission, from /proc,
against the CPU of one hash): on a machine shared with other work, rates drift with it and
CPU times much less.
Targets (issue 21): >= 40 submissions/s, p95 of the submission POST < 400 ms, and submissions/s
>= 0.7 x the Argon2id rate. Missing a target is reported, not an error; the exit status is 1
only when requests failed.

    .venv/bin/python bench/intake_submit.py [--quick] [--clients 20] [--workers N]
    .venv/bin/python bench/intake_submit.py --profile [--quick]   # CPU by stage, in process
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedev .venv/bin/python bench/intake_submit.py
"""

import argparse
import http.client
import http.cookies
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _load_clients import address, multipart
from _setup import ROOT, arguments, throwaway_environment
from _submit_floors import argon2_measured, report_cpu, server_cpu

TARGET_RATE = 40.0
TARGET_P95_MS = 400.0
TARGET_ARGON2_RATIO = 0.7
SETTINGS = "bench.intake_submit_settings"

BODY = (
    "Улсын бүртгэлийн хэлтэст иргэний үнэмлэх солиулахаар очиход ажилтан бичиг баримтыг "
    "хурдан гаргахын тулд мөнгө нэхсэн. Дараалал удаан, тайлбар өгөөгүй, дахин ирэхийг "
    "шаардсан. Ийм чирэгдэл, хүнд суртлыг шалгаж арга хэмжээ авна уу. "
) * 3
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


# --- the database and the server -----------------------------------------------------------

def prepare(workdir: Path) -> tuple[dict, str | None]:
    """Environment for this run, and for PostgreSQL the URL to administer the server from
    (None for SQLite). The database itself is new, on the server DATABASE_URL names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHUGEL_", "DJANGO_"))}
    env.update({**throwaway_environment(workdir, SETTINGS), "PYTHONPATH": str(ROOT)})
    given = os.environ.get("DATABASE_URL", "")
    admin_url = None
    if urlsplit(given).scheme in {"postgres", "postgresql"}:
        import psycopg

        parts = urlsplit(given)
        name = f"{parts.path.lstrip('/') or 'shugel'}_bench_{secrets.token_hex(4)}"
        # The named database need not exist: the server's maintenance database will do.
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    return env, admin_url


def set_up_django(env: dict) -> None:
    """In this process: keyring, migrate, one department, the floor's table."""
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from bench.intake_submit_urls import create_floor_table
    from org.models import Unit
    from vault.keyring import Keyring, reload_keyring

    Keyring.generate().save(Path(env["SHUGEL_KEYRING"]))
    reload_keyring()
    call_command("migrate", verbosity=0)
    Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, public_phone="7052-2200",
                        name_mn="Дорноговь аймгийн Улсын бүртгэлийн хэлтэс",
                        name_en="Dornogovi Province State Registration Department")
    create_floor_table()
    from django.db import connections

    connections.close_all()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, workers: int) -> None:
    """Run uvicorn as `uvicorn --workers N` does (the multiprocess supervisor, N workers on
    one listening socket), but with the socket made as a TCP socket (IPPROTO_TCP). uvicorn's
    own Config.bind_socket() leaves the protocol at 0; asyncio then does not set TCP_NODELAY
    on accepted connections, and every keep-alive response after the first waits ~40 ms for
    the client's delayed ACK (uvicorn issue #3149). The single-worker path is not affected."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "config.asgi:application", host="127.0.0.1", port=port, workers=workers,
        access_log=False, server_header=False, lifespan="off", log_level="warning",
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.set_inheritable(True)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(port),
               "--workers", str(workers)]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/report/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"uvicorn did not answer in time:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- clients ---------------------------------------------------------------------------------

@dataclass
class Sample:
    finished: float  # time.perf_counter()
    post_ms: float  # the submission itself (or the floor's request)
    pair_ms: float  # GET of the form and the POST together
    ok: bool


class Browser:
    """One client: a keep-alive connection and the CSRF cookie, as a browser keeps them."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.port = port
        self.source = source
        self.connection = None
        self.csrf_cookie = ""

    def send(self, method: str, path: str, body: bytes | None = None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def remember_cookies(self, response) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            if "csrftoken" in cookie:
                self.csrf_cookie = cookie["csrftoken"].value


def submit(browser: Browser) -> Sample:
    started = time.perf_counter()
    try:
        response, page = browser.send("GET", "/report/")
        browser.remember_cookies(response)
        fields = dict(HIDDEN.findall(page.decode()))
        if response.status != 200 or "token" not in fields or not browser.csrf_cookie:
            return Sample(time.perf_counter(), 0.0, 0.0, False)
        fields.update({"kind": "complaint", "body": BODY, "where": "Сайншанд",
                       "when": "өнгөрсөн долоо хоногт", "website": ""})
        body, content_type = multipart(fields)
        posting = time.perf_counter()
        response, page = browser.send("POST", "/report/", body, {
            "Content-Type": content_type, "Cookie": f"csrftoken={browser.csrf_cookie}",
            "Origin": "null",
        })
        done = time.perf_counter()
        ok = response.status == 200 and b'id="receipt"' in page
        return Sample(done, (done - posting) * 1000, (done - started) * 1000, ok)
    except (http.client.HTTPException, OSError):
        return Sample(time.perf_counter(), 0.0, 0.0, False)


def insert_floor(browser: Browser) -> Sample:
    started = time.perf_counter()
    try:
        response, page = browser.send("POST", "/bench/floor/", b"",
                                      {"Content-Type": "text/plain"})
        done = time.perf_counter()
        ms = (done - started) * 1000
        return Sample(done, ms, ms, response.status == 200 and page == b"ok")
    except (http.client.HTTPException, OSError):
        return Sample(time.perf_counter(), 0.0, 0.0, False)


@dataclass
class Result:
    rate: float
    ok: int
    failed: int
    p50_ms: float
    p95_ms: float
    pair_p95_ms: float
    done: int = 0  # every operation that finished, warm-up included


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def load(operation, port: int, clients: int, warmup: float, seconds: float) -> Result:
    """`clients` threads run `operation` back to back; what finishes in the measured window
    (after the warm-up) counts."""
    samples: list[Sample] = []
    lock = threading.Lock()
    start = time.perf_counter()
    window = (start + warmup, start + warmup + seconds)

    def client(number):
        browser = Browser(port, address(number))
        mine = []
        while time.perf_counter() < window[1]:
            mine.append(operation(browser))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(number,), daemon=True)
               for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measured = [s for s in samples if window[0] <= s.finished <= window[1]]
    good = [s for s in measured if s.ok]
    return Result(
        rate=len(good) / seconds, ok=len(good), failed=len(measured) - len(good),
        p50_ms=percentile([s.post_ms for s in good], 0.50),
        p95_ms=percentile([s.post_ms for s in good], 0.95),
        pair_p95_ms=percentile([s.pair_ms for s in good], 0.95), done=len(samples),
    )


def cpu_per_operation(operation, server, *args) -> tuple[Result, float]:
    """`load(operation, ...)` and the server's CPU milliseconds per operation it finished."""
    before = server_cpu(server)
    result = load(operation, *args)
    return result, (server_cpu(server) - before) * 1000 / max(result.done, 1)


# --- the run ---------------------------------------------------------------------------------

def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="uvicorn worker processes (default: one per core)")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true",
                        help="where one submission's CPU goes, by stage (bench/_submit_profile.py)")
    args = parser.parse_args()
    if args.profile:
        from _submit_profile import profile

        profile(SETTINGS, BODY, 20 if args.quick else 200)
        return
    if args.serve:  # the server process this script starts for itself
        serve(args.serve, args.workers)
        return
    warmup, seconds = (2.0, 6.0) if args.quick else (5.0, 30.0)
    cores = os.cpu_count() or 1

    workdir = Path(tempfile.mkdtemp(prefix="shugel-bench-submit-"))
    server, admin_url = None, None
    try:
        env, admin_url = prepare(workdir)
        vendor = "PostgreSQL" if admin_url else "SQLite"
        if env.get("REDIS_URL"):
            vendor += " + Redis"
        set_up_django(env)
        port = free_port()
        server = start_server(env, port, args.workers, workdir / "uvicorn.log")
        # The Argon2id floor before and after the load, averaged: the cores' speed drifts
        # on a machine shared with other work.
        hashes_before, hash_cpu_before = argon2_measured(min(seconds, 10.0) / 2, cores)
        insert, insert_cpu = cpu_per_operation(insert_floor, server, port, args.clients,
                                               warmup, seconds)
        submitted, submit_cpu = cpu_per_operation(submit, server, port, args.clients, warmup,
                                                  seconds)
        stop_server(server)
        if insert.failed or submitted.failed:
            log = (workdir / "uvicorn.log").read_text(errors="replace")
            print(f"the server's log ends with:\n{log[-4000:]}", file=sys.stderr)
        hashes_after, hash_cpu_after = argon2_measured(min(seconds, 10.0) / 2, cores)
    finally:
        if server is not None:
            stop_server(server)
        from django.db import connections

        connections.close_all()
        if admin_url:
            import psycopg

            name = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)

    report(args, vendor, cores, seconds, submitted, insert, (hashes_before, hashes_after),
           (submit_cpu, insert_cpu, (hash_cpu_before + hash_cpu_after) / 2))


def report(args, vendor, cores, seconds, submitted: Result, insert: Result,
           each: tuple[float, float], cpu: tuple[float, float, float]):
    hashes = sum(each) / 2
    def yes(flag):
        return "meets" if flag else "MISSES"

    to_argon2 = submitted.rate / hashes
    print(f"intake_submit: {vendor}, uvicorn with {args.workers} worker(s) on {cores} core(s), "
          f"{args.clients} clients, {seconds:.0f} s measured per phase"
          f"{' (quick)' if args.quick else ''}")
    print(f"web submissions:        {submitted.rate:8.1f} /s   POST p50 {submitted.p50_ms:5.0f} ms"
          f"   p95 {submitted.p95_ms:5.0f} ms   GET+POST p95 {submitted.pair_p95_ms:5.0f} ms"
          f"   ({submitted.ok} ok, {submitted.failed} failed)")
    print(f"floor (a) one-row POST: {insert.rate:8.1f} /s   p50 {insert.p50_ms:5.0f} ms"
          f"   p95 {insert.p95_ms:5.0f} ms   ({insert.ok} ok, {insert.failed} failed)")
    print(f"floor (b) Argon2id:     {hashes:8.1f} hashes/s on {cores} core(s)"
          f"   (before the load {each[0]:.1f}, after {each[1]:.1f})")
    print(f"ratio to floor (a):     {submitted.rate / insert.rate:8.2f}")
    print(f"ratio to floor (b):     {to_argon2:8.2f}   ({yes(to_argon2 >= TARGET_ARGON2_RATIO)}"
          f" the target of >= {TARGET_ARGON2_RATIO})")
    print(f"submissions/s >= {TARGET_RATE:.0f}:     {yes(submitted.rate >= TARGET_RATE)}")
    print(f"POST p95 < {TARGET_P95_MS:.0f} ms:       {yes(submitted.p95_ms < TARGET_P95_MS)}")
    report_cpu(*cpu, TARGET_ARGON2_RATIO)
    if submitted.failed or insert.failed:
        print("some requests failed: see the counts above")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
