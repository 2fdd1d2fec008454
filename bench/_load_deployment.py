"""A deployment of the load and fault harness's own (bench/load.py, bench/faults.py): a
data dir, keyring and database in a temp dir, its server processes, and PostgreSQL and Redis
servers that are never the shared ones.

The harness never imports Django: everything that needs it runs in a process of its own
(manage.py, bench/_load_django.py), so a server can be killed and started again without
the harness holding a connection or a lock. Every request goes to 127.0.0.1 only.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _setup import ROOT, throwaway_environment

sys.path.insert(0, str(ROOT))
from tests.demo_model import SEED_DEMO  # noqa: E402 - needs the checkout on the path
from tests.sqlite_files import migrated_copy  # noqa: E402

PYTHON = sys.executable
# The real settings with the public rate limits raised (one machine is one address) and the
# floor endpoint added: see bench/intake_submit_settings.py. Nothing else differs.
SETTINGS = "bench.intake_submit_settings"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


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
        if self.embedded:
            # A copy of a file migrated once per source tree, as the tests start theirs
            # (tests/sqlite_files.py): migrate then applies nothing, in 1.4 s, not 8.
            migrated_copy(self.workdir / "shugel.sqlite3")
        self.run("manage.py", "migrate", "--verbosity", "0")
        # The demo, with its triage model trained once per data set and kept in
        # var/test-models as the test suite keeps it (tests/demo_model.py).
        self.run("manage.py", "shell", "-c", SEED_DEMO)
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

    def sessions(self) -> dict[int, str]:
        """{session id: part} of the running processes, for bench/_load_cpu.py: each was
        started in a session of its own, whose id is its pid."""
        return {process.pid: name for process, name
                in zip(self.processes, ["web server", "task worker"], strict=False)}

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
