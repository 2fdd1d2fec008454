"""A flood from one address does not keep honest reporters out (issue 15).

The real server, started with the flags of deploy/systemd/shugel-web.service, is sent
garbage posts and wrong receipt lookups from 127.0.0.2 while twenty honest clients, each
on its own address (127.0.0.10 to 127.0.0.29), report and follow their case. Once without
nginx (uvicorn trusts no header from these peers: the client is the TCP peer), once behind
the example nginx site adapted for the test (no TLS, a free port, temporary folders). Then
no address may be found in the database, its write-ahead log, the server's output or nginx's
logs.
"""

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.intake.test_anonymity import (
    Browser,
    free_port,
    installation,
    wait_until_healthy,
)
from tests.ops.deploy import DEPLOY, ROOT, exec_start, nginx_main_conf, runnable_here
from tests.ops.test_deploy_examples import nginx_binary
from tests.vault.canary import forms

# Alone: honest clients must be served in time while the flood runs; another test's load
# beside it would blur what is measured.
pytestmark = [pytest.mark.slow, pytest.mark.alone, pytest.mark.own_sqlite]

FLOODER = "127.0.0.2"
HONEST = [f"127.0.0.{n}" for n in range(10, 30)]
# Requests per flooding thread, so that the test stays bounded: garbage is answered at once,
# a lookup only after views_public.LOOKUP_FLOOR_SECONDS.
FLOOD = {"garbage": 250, "lookups": 50}
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def start_web(env, port: int, out: Path, err: Path) -> subprocess.Popen:
    """The web unit's own command line, on this test's port with two workers."""
    command = runnable_here(exec_start("shugel-web.service"),
                            **{"--port": str(port), "--workers": "2"})
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out.open("wb"),
                            stderr=err.open("wb"), start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(2)  # SIGINT, as systemd's KillSignal
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def honest_visit(port: int, source: str, delay: float) -> list[bool]:
    """Reports, then follows the case twice; whether each request succeeded."""
    time.sleep(delay)
    browser = Browser(port, source)
    status, form = browser.request("GET", "/report/")
    done = [status == 200]
    unit = re.search(r'name="unit" value="(\d+)"', form)
    status, page = browser.post_multipart("/report/", form, {
        "kind": "complaint", "unit": unit.group(1) if unit else "",
        "body": "Үйлчилгээний танхимд дугаар авахад мөнгө нэхсэн."})
    receipt = re.search(r'id="receipt">([\d ]+)<', page)
    done.append(status == 200 and receipt is not None)
    status, lookup = browser.request("GET", "/track/")
    done.append(status == 200)
    for _ in range(2):
        status, case = browser.post_form("/track/", lookup, {
            "receipt": receipt.group(1) if receipt else ""})
        done.append(status == 200 and "Мессежүүд" in case)
    return done


def flood(port: int, kind: str) -> dict[int, int]:
    """Garbage reports (no token), or wrong receipts sent with a token the page gave."""
    browser = Browser(port, FLOODER)
    statuses: dict[int, int] = {}
    page = browser.request("GET", "/track/")[1]
    for n in range(FLOOD[kind]):
        try:
            if kind == "garbage":
                # With the CSRF token but no form token (400), every other one without
                # either (403): refused before anything is counted.
                csrf = f"csrfmiddlewaretoken={browser.csrf(page)}&" if n % 2 else ""
                status, _ = browser.request(
                    "POST", ("/report/", "/en/track/", "/track/message/")[n % 3],
                    f"{csrf}body=spam{n}&receipt=0000".encode(),
                    "application/x-www-form-urlencoded")
            else:
                status, _ = browser.post_form("/track/", page,
                                              {"receipt": f"{n:016d}"})
        except OSError:
            status = 0
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


def run_flood(port: int) -> tuple[float, dict]:
    """The flood and the honest visits at the same time; the honest share that succeeded."""
    with ThreadPoolExecutor(max_workers=4) as flooders, ThreadPoolExecutor(8) as honest:
        floods = [flooders.submit(flood, port, kind)
                  for kind in ("garbage", "garbage", "lookups", "lookups")]
        # The flood is under way before the first honest client comes; they keep coming
        # for about ten seconds.
        visits = [honest.submit(honest_visit, port, source, 0.5 + n / 2)
                  for n, source in enumerate(HONEST)]
        outcomes = [ok for visit in visits for ok in visit.result(timeout=120)]
        flooded: dict[int, int] = {}
        for done in floods:
            for status, count in done.result(timeout=60).items():
                flooded[status] = flooded.get(status, 0) + count
    return sum(outcomes) / len(outcomes), {"honest": len(outcomes), "flood": flooded}


def addresses_in(data: bytes) -> list[str]:
    return [address for address in [FLOODER, *HONEST]
            if any(form in data for form in forms(address))]


def everything_kept(*folders: Path) -> bytes:
    return b"".join(p.read_bytes() for folder in folders for p in folder.rglob("*")
                    if p.is_file())


def test_a_flood_from_one_address_leaves_honest_clients_served(tmp_path):
    env = installation(tmp_path)
    port = free_port()
    out, err = tmp_path / "server.out", tmp_path / "server.err"
    server = start_web(env, port, out, err)
    started = time.monotonic()
    try:
        wait_until_healthy(Browser(port), server, err)
        share, counts = run_flood(port)
    finally:
        stop(server)
    print(f"\nwithout nginx: {share:.1%} of {counts['honest']} honest requests succeeded "
          f"during a flood of {sum(counts['flood'].values())} requests {counts['flood']} "
          f"in {time.monotonic() - started:.0f} s")
    assert share >= 0.99
    assert counts["flood"].get(429, 0) > 0, "the wrong lookups met the per-client limit"
    assert counts["flood"].get(400, 0) > 0, "the garbage was refused, not counted"
    printed = out.read_bytes() + err.read_bytes()
    assert addresses_in(printed) == [], printed.decode()[-3000:]
    assert addresses_in(everything_kept(tmp_path / "data")) == []


# --- behind nginx -------------------------------------------------------------------------------

def plain_nginx(tmp_path: Path, port: int, upstream: int) -> Path:
    """The example site without TLS on `port`: the redirecting server is left out, the
    HTTPS one listens in plain HTTP. Everything else, limits and headers, as shipped."""
    site = (DEPLOY / "nginx" / "shugel.conf").read_text()
    site = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", site, count=1, flags=re.S)
    site = re.sub(r"\n    ssl_[^\n]*", "", site)
    site = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{port};", site)
    site = re.sub(r"\n    listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstream};")
    site = site.replace("/var/log/nginx/", f"{tmp_path}/logs/")
    site = site.replace("/srv/shugel/staticfiles/", f"{ROOT}/static/")
    (tmp_path / "logs").mkdir()
    (tmp_path / "site.conf").write_text(site)
    return nginx_main_conf(tmp_path, tmp_path / "site.conf")


def test_behind_nginx_a_flood_from_one_address_leaves_honest_clients_served(tmp_path):
    binary = nginx_binary()
    if not binary:
        pytest.skip("nginx is not installed (CI installs it: apt-get install nginx-light)")
    env = installation(tmp_path)
    web_port, port = free_port(), free_port()
    conf = plain_nginx(tmp_path, port, web_port)
    out, err = tmp_path / "server.out", tmp_path / "server.err"
    server = start_web(env, web_port, out, err)
    nginx = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(conf),
                              "-e", str(tmp_path / "logs" / "error.log"),
                              "-g", "daemon off; master_process on;"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started = time.monotonic()
    try:
        wait_until_healthy(Browser(port), server, err)
        share, counts = run_flood(port)
    finally:
        nginx.terminate()
        nginx_output = b"".join(nginx.communicate(timeout=30))
        stop(server)
    print(f"\nbehind nginx: {share:.1%} of {counts['honest']} honest requests succeeded "
          f"during a flood of {sum(counts['flood'].values())} requests {counts['flood']} "
          f"in {time.monotonic() - started:.0f} s")
    assert share >= 0.99
    assert counts["flood"].get(429, 0) > 0
    printed = out.read_bytes() + err.read_bytes() + nginx_output
    assert addresses_in(printed) == [], printed.decode()[-3000:]
    assert addresses_in(everything_kept(tmp_path / "data", tmp_path / "logs",
                                        tmp_path / "temp")) == []
