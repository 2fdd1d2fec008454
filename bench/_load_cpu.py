"""Where a load run's CPU went: each part of the deployment's CPU seconds between two readings
of /proc, so a ratio below target says which process spent the cores.

A part is found by what a process is: the web server and the task worker by their session
(each is started in a session of its own; `manage.py serve` starts both, and the task
worker is told apart by its command line), PostgreSQL and Redis by their command name, the
clients by being this process. Anything else that ran meanwhile is "other" (the machine is
shared). A process's reaped children count with it (cutime, cstime); a child that ended
between the readings is counted whole, so a part whose processes come and go reads a little
high. Linux only; elsewhere `reading` returns nothing and the breakdown is left out.
"""

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Reading:
    by_pid: dict[int, tuple[str, int]]  # pid: (part, CPU ticks including reaped children)
    busy: int  # the whole machine's busy ticks, from /proc/stat
    idle: int


def _part(pid: int, comm: str, session: int, roles: dict[int, str]) -> str:
    if pid == os.getpid():
        return "clients (this bench)"
    if session in roles:
        # `manage.py serve` starts the task worker in its own session: told apart by name.
        try:
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except OSError:
            command = b""
        return "task worker" if b"qcluster" in command else roles[session]
    if comm.startswith("postgres"):
        return "PostgreSQL"
    if comm.startswith("redis-server"):
        return "Redis"
    return "other"


def reading(roles: dict[int, str]) -> Reading | None:
    """Every process's CPU ticks now. `roles` names the sessions of the deployment's
    processes ({session id: part})."""
    proc = Path("/proc")
    try:
        machine = (proc / "stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    ticks = [int(n) for n in machine[:8]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    by_pid = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        session = int(fields[3])
        spent = sum(int(n) for n in fields[11:15])  # utime, stime, cutime, cstime
        pid = int(entry.name)
        by_pid[pid] = (_part(pid, comm, session, roles), spent)
    return Reading(by_pid, sum(ticks) - idle, idle)


def breakdown(before: Reading | None, after: Reading | None) -> dict[str, float]:
    """CPU seconds per part between the two readings, plus "idle" for the cores' idle time."""
    if before is None or after is None:
        return {}
    seconds: dict[str, float] = {}
    for pid, (part, spent) in after.by_pid.items():
        earlier = before.by_pid.get(pid)
        used = spent - (earlier[1] if earlier and earlier[0] == part else 0)
        seconds[part] = seconds.get(part, 0.0) + used / TICKS
    seconds["idle"] = (after.idle - before.idle) / TICKS
    return seconds


def breakdown_lines(seconds: dict[str, float], submissions: int) -> list[str]:
    """One line per part, the largest first, with its CPU per shown receipt."""
    if not seconds or not submissions:
        return []
    lines = [f"CPU during the load, by part ({submissions} submissions):"]
    for part, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        lines.append(f"  {part:22} {spent:6.1f} s   {spent * 1000 / submissions:6.1f} ms "
                     "per submission")
    return lines
