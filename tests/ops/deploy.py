"""Reading the example deployment in deploy/, for the tests that run it."""

import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# Where the examples expect the checkout, and its virtual environment's Python.
CHECKOUT = "/srv/shugel"
VENV_PYTHON = f"{CHECKOUT}/.venv/bin/python"


def unit_sections(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as {section: {key: [values]}} (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{name}: cannot read {raw!r}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def exec_start(name: str) -> list[str]:
    [command] = unit_sections(name)["Service"]["ExecStart"]
    return shlex.split(command)


def runnable_here(command: list[str], **replace: str) -> list[str]:
    """The unit's command with this checkout's Python and some arguments replaced
    ({"--port": "8123"} gives the argument after --port a new value)."""
    assert command[0] == VENV_PYTHON, command
    found = [sys.executable, *command[1:]]
    for option, value in replace.items():
        found[found.index(option) + 1] = value
    return found


def env_example() -> dict[str, str]:
    """deploy/shugel.env.example as systemd reads it: KEY=value lines, no quoting."""
    values = {}
    for raw in (DEPLOY / "shugel.env.example").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep and key.isidentifier() and not value.startswith(("'", '"')), raw
        values[key] = value
    return values


def nginx_main_conf(tmp_path: Path, site: Path, *, connections: int = 256) -> Path:
    """An nginx.conf for a test: its pid, error log and temporary folders under `tmp_path`,
    and `site` included in its http block. Returns its path."""
    temp = {name: tmp_path / "temp" / name
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir(parents=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log warn;
events {{ worker_connections {connections}; }}
http {{
    client_body_temp_path {temp['client_body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {site};
}}
""")
    return conf
