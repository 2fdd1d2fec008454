"""The example deployment in deploy/ works as docs/deploy.md says.

- nginx: `nginx -t` accepts the site, and a real nginx run with it proxies to Shugel with
  nothing about the client but the address it saw itself (for the rate limits; never what
  the client claims, never its agent), upgrades the websocket and logs no request. The
  limits at the edge are tested with the real server in tests/security/test_flood.py.
  Skipped where nginx is not installed (CI installs it).
- systemd: `systemd-analyze verify` accepts the units (where systemd is there), and every
  unit runs a command that exists in this checkout with settings that Shugel reads.
- The environment file, as an operator fills it in, passes Django's deployment checks in
  production mode; left as it is, Shugel refuses to start.
"""

import datetime
import http.server
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.ops.deploy import (
    CHECKOUT,
    DEPLOY,
    ROOT,
    VENV_PYTHON,
    env_example,
    exec_start,
    nginx_main_conf,
    unit_sections,
)

NGINX_SITE = DEPLOY / "nginx" / "shugel.conf"
UNITS = ["shugel-web.service", "shugel-worker.service", "shugel-backup.service"]
TIMERS = ["shugel-backup.timer"]


def nginx_binary() -> str | None:
    found = os.environ.get("SHUGEL_TEST_NGINX") or shutil.which("nginx")
    if not found and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return found


# --- nginx ------------------------------------------------------------------------------------

def test_the_nginx_site_logs_no_client_and_forwards_only_the_address_it_saw():
    site = NGINX_SITE.read_text()
    lines = [line.split("#")[0] for line in site.splitlines()]
    code = "\n".join(lines)
    # The address only in the edge limit's key and in the one header uvicorn trusts.
    assert re.findall(r".*\$remote_addr.*", code) == [
        "        proxy_set_header X-Forwarded-For $remote_addr;"]
    assert re.findall(r".*\$binary_remote_addr.*", code) == [
        '    "~^POST:/(en/)?(report|track|track/message)/$" $binary_remote_addr;',
        "limit_conn_zone $binary_remote_addr zone=shugel_open:10m;"]
    assert "$proxy_add_x_forwarded_for" not in code and "$http_user_agent" not in code
    assert "limit_req_zone $shugel_form_post zone=shugel_forms:10m" in code
    assert re.search(r"limit_req zone=shugel_forms burst=\d+ nodelay;", code)
    # Refusals at the edge are not logged: below the error log's level.
    assert "limit_req_log_level info;" in code
    assert "limit_conn_log_level info;" in code
    assert re.search(r"limit_conn shugel_open \d+;", code)
    assert set(re.findall(r"error_log \S+ (\w+);", code)) == {"crit"}
    assert re.search(r"^access_log off;", code, re.M), "off for the whole http block"
    assert not re.search(r"access_log\s+(?!off)", code), "no request is logged anywhere"
    locations = re.findall(r"location\s+(\S+)\s*{(.*?)\n    }", code, re.S)
    proxied = {path: body for path, body in locations if "proxy_pass" in body}
    assert set(proxied) == {"/", "/ws/"}
    assert "limit_req zone=shugel_forms" in proxied["/"]
    assert 'proxy_set_header X-Forwarded-For "";' in proxied["/ws/"]
    for path, body in proxied.items():
        for header in ("X-Real-IP", "Forwarded", "User-Agent"):
            assert re.search(rf'proxy_set_header {header} "";', body), (path, header)
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in body, path
    assert "proxy_set_header Upgrade $http_upgrade;" in proxied["/ws/"]
    assert "proxy_set_header Connection $connection_upgrade;" in proxied["/ws/"]
    assert re.search(r"listen 443 ssl", code) and "ssl_certificate_key" in code
    assert "alias /srv/shugel/staticfiles/;" in code
    # Nothing of a request or an answer is spooled to disk.
    for directive in ("proxy_request_buffering off;", "proxy_buffering off;",
                      "proxy_max_temp_file_size 0;"):
        assert directive in code


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shugel.example.mn")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("shugel.example.mn")]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_setup(tmp_path: Path, *, http_port=80, https_port=443, upstream="127.0.0.1:8001"):
    """The site as shipped, with this test's certificate, folders and ports, inside the
    smallest main configuration (what nginx.conf of a distribution adds is not needed)."""
    cert, key = _certificate(tmp_path)
    (tmp_path / "logs").mkdir()
    (tmp_path / "static").mkdir()
    site = NGINX_SITE.read_text()
    site = site.replace("/etc/letsencrypt/live/shugel.example.mn/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/shugel.example.mn/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/logs/")
    site = site.replace("/srv/shugel/staticfiles/", f"{tmp_path}/static/")
    site = site.replace("server 127.0.0.1:8001;", f"server {upstream};")
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", site)
    site = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl;", site)
    site = re.sub(r"listen \[::\]:\d+[^;]*;", "", site)
    (tmp_path / "shugel.conf").write_text(site)
    return nginx_main_conf(tmp_path, tmp_path / "shugel.conf", connections=64)


def run_nginx(binary, conf: Path, *args, **kwargs):
    return subprocess.run([binary, "-p", str(conf.parent), "-c", str(conf),
                           "-e", str(conf.parent / "logs" / "error.log"), *args],
                          capture_output=True, text=True, **kwargs)


def test_nginx_accepts_the_site(tmp_path):
    binary = nginx_binary()
    if not binary:
        pytest.skip("nginx is not installed (CI installs it: apt-get install nginx-light)")
    done = run_nginx(binary, nginx_setup(tmp_path), "-t", timeout=30)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr


class _Echo(http.server.BaseHTTPRequestHandler):
    """Stands in for uvicorn: remembers the headers nginx sent, answers 200 (or 101 to a
    websocket upgrade, as uvicorn would)."""

    seen: list = []

    def do_GET(self):
        _Echo.seen.append({key.lower(): value for key, value in self.headers.items()})
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.end_headers()
            return
        body = b"shugel"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_nginx_passes_nothing_about_the_client_and_logs_no_request(tmp_path):
    binary = nginx_binary()
    if not binary:
        pytest.skip("nginx is not installed (CI installs it: apt-get install nginx-light)")
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    conf = nginx_setup(tmp_path, http_port=http_port, https_port=https_port,
                       upstream=f"127.0.0.1:{upstream.server_address[1]}")
    nginx = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(conf),
                              "-e", str(tmp_path / "logs" / "error.log"),
                              "-g", "daemon off; master_process on;"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    agent, address = "ProbeBrowser/9 (nginx-probe-7f3a)", "198.51.100.123"
    try:
        context = ssl.create_default_context(cafile=str(tmp_path / "fullchain.pem"))
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", https_port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)

        def ask(path, extra=b""):
            with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname="shugel.example.mn") as tls:
                    tls.sendall(
                        f"GET {path} HTTP/1.1\r\nHost: shugel.example.mn\r\n"
                        f"User-Agent: {agent}\r\nX-Forwarded-For: {address}\r\n"
                        f"X-Real-IP: {address}\r\nForwarded: for={address}\r\n".encode()
                        + extra + b"Connection: close\r\n\r\n")
                    answer = b""
                    while chunk := tls.recv(65536):
                        answer += chunk
                        if b"\r\n\r\n" in answer and b"101" in answer.split(b"\r\n")[0]:
                            break
                    return answer

        assert ask("/report/").startswith(b"HTTP/1.1 200")
        upgraded = ask("/ws/notifications/", b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       b"Sec-WebSocket-Version: 13\r\n")
        assert upgraded.startswith(b"HTTP/1.1 101"), upgraded[:200]
        with socket.create_connection(("127.0.0.1", http_port), timeout=10) as plain:
            plain.sendall(b"GET /report/ HTTP/1.1\r\nHost: shugel.example.mn\r\n"
                          b"Connection: close\r\n\r\n")
            redirect = plain.recv(4096)
        assert redirect.startswith(b"HTTP/1.1 301")
        assert b"Location: https://shugel.example.mn/report/" in redirect
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        upstream.shutdown()
    page, socket_request = _Echo.seen[-2:]
    # The address nginx saw itself, not the one the client claimed.
    assert page["x-forwarded-for"] == "127.0.0.1"
    assert "x-forwarded-for" not in socket_request
    for headers in (page, socket_request):
        assert "x-real-ip" not in headers
        assert "forwarded" not in headers and "user-agent" not in headers
        assert headers["x-forwarded-proto"] == "https"
        assert headers["host"] == "shugel.example.mn"
    assert socket_request["upgrade"] == "websocket"
    assert socket_request["connection"].lower() == "upgrade"
    logged = b"".join(p.read_bytes() for p in (tmp_path / "logs").iterdir())
    logged += nginx.stderr.read() + nginx.stdout.read()
    for value in (address.encode(), b"nginx-probe-7f3a", b"127.0.0.1", b"GET /"):
        assert value not in logged, value


# --- systemd ----------------------------------------------------------------------------------

def test_every_unit_runs_a_command_this_checkout_has():
    from django.core.management import get_commands

    commands = get_commands()
    for name in UNITS:
        service = unit_sections(name)["Service"]
        assert service["WorkingDirectory"] == [CHECKOUT], name
        assert service["EnvironmentFile"] == ["/etc/shugel/shugel.env"], name
        assert service["User"] == ["shugel"], name
        command = exec_start(name)
        assert command[0] == VENV_PYTHON, name
        if command[1] == "manage.py":
            assert (ROOT / "manage.py").is_file()
            assert command[2] in commands, f"{name}: no command {command[2]!r}"
        else:
            assert command[1:3] == ["-m", "uvicorn"], name
            module, _, attribute = command[3].partition(":")
            assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), name
            assert attribute == "application"
            log_config = command[command.index("--log-config") + 1]
            assert (ROOT / log_config).is_file(), log_config
            for flag in ("--no-access-log", "--proxy-headers", "--no-server-header"):
                assert flag in command, flag
            # The address header is trusted from nginx on this machine only.
            assert command[command.index("--forwarded-allow-ips") + 1] == "127.0.0.1"
    for name in TIMERS:
        timer = unit_sections(name)["Timer"]
        assert (DEPLOY / "systemd" / timer["Unit"][0]).is_file()
        assert timer["OnCalendar"]


def test_the_web_unit_listens_where_nginx_sends():
    command = exec_start("shugel-web.service")
    where = f"{command[command.index('--host') + 1]}:{command[command.index('--port') + 1]}"
    assert f"server {where};" in NGINX_SITE.read_text()


def test_systemd_accepts_the_units(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed; the parser checks above still ran")
    (tmp_path / "shugel.env").write_text((DEPLOY / "shugel.env.example").read_text())
    for name in UNITS + TIMERS:
        text = (DEPLOY / "systemd" / name).read_text()
        # Where this checkout is, instead of /srv/shugel; the interpreter must exist.
        text = text.replace(f"{VENV_PYTHON} ", f"{sys.executable} ")
        text = text.replace(CHECKOUT, str(ROOT))
        text = text.replace("/etc/shugel/shugel.env", str(tmp_path / "shugel.env"))
        (tmp_path / name).write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", "--man=no",
                           *[str(tmp_path / name) for name in UNITS + TIMERS]],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    own = [line for line in done.stderr.splitlines() if str(tmp_path) in line
           or "shugel" in line]
    assert own == [], own


# --- the environment file ------------------------------------------------------------------------

def _settings_names() -> str:
    """The source that reads settings from the environment."""
    return "".join((ROOT / path).read_text() for path in (
        "config/settings.py", "core/environment.py", "vault/keyring.py"))


def test_every_variable_of_the_example_is_one_shugel_reads():
    source = _settings_names()
    for name in env_example():
        assert re.search(rf"""["']{name}["']""", source), f"{name} is read nowhere"


def production(tmp_path, **overrides) -> dict:
    """The example as an operator fills it in: a generated secret, and (for this test)
    the folders and keyring in `tmp_path`. Nothing else of this process's environment."""
    import secrets

    from vault.keyring import Keyring

    keyring = tmp_path / "keys" / "keyring.json"
    if not keyring.exists():
        Keyring.generate().save(keyring)
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(env_example())
    env.update({"SECRET_KEY": secrets.token_urlsafe(64),
                "SHUGEL_DATA_DIR": str(tmp_path / "data"),
                "SHUGEL_MEDIA_ROOT": str(tmp_path / "data" / "media"),
                "SHUGEL_KEYRING": str(keyring),
                "DJANGO_SETTINGS_MODULE": "config.settings"})
    env.update(overrides)
    return env


def deploy_check(env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                           "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # a whole Django process of its own
def test_the_filled_in_example_passes_the_deployment_checks(tmp_path):
    done = deploy_check(production(tmp_path))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_the_example_as_shipped_refuses_to_start(tmp_path):
    done = deploy_check(production(tmp_path, SECRET_KEY=env_example()["SECRET_KEY"]))
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


@pytest.mark.slow  # a whole Django process of its own
def test_the_deployment_checks_would_catch_a_weakened_setting(tmp_path):
    done = deploy_check(production(tmp_path, SHUGEL_HSTS_SECONDS="0"))
    assert done.returncode != 0
    assert "security.W004" in done.stderr + done.stdout


def test_the_deploy_guide_names_every_example():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in guide, path
    for topic in ("docs/backup.md", "keys rotate", "migrate", "collectstatic",
                  "PostgreSQL", "Redis", "check --deploy"):
        assert topic in guide, topic
