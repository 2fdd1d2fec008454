"""The floors of bench/intake_submit.py that are not requests: the receipt's Argon2id hash
alone on every core, and CPU time (the server's per submission, a hash's) for the comparison
that other work on a shared machine moves least. bench/load.py uses the hash's floor too
(through bench/_load_django.py)."""

import multiprocessing
import statistics
import subprocess
import time

from _load_cpu import TICKS, reading


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds used so far by the server's processes (its session: the supervisor and
    every uvicorn worker), from /proc as bench/_load_cpu.py reads it; 0 where there is no
    /proc."""
    found = reading({server.pid: "server"})
    if found is None:
        return 0.0
    return sum(ticks for part, ticks in found.by_pid.values() if part == "server") / TICKS


def _hashes_for(seconds: float) -> tuple[float, float]:
    """Hashes a second, and CPU milliseconds a hash, in this process."""
    from intake.receipts import _hash, new_code
    from vault.keyring import keyring

    version = keyring.active_version("receipt")
    _hash(new_code(), version)  # the pepper is loaded before timing starts
    count, started, cpu = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - started) < seconds:
        _hash(new_code(), version)
        count += 1
    return count / elapsed, (time.process_time() - cpu) * 1000 / max(count, 1)


def argon2_measured(seconds: float, processes: int) -> tuple[float, float]:
    """Hashes a second on `processes` cores, and CPU milliseconds a hash."""
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        found = pool.map(_hashes_for, [seconds] * processes)
    return sum(rate for rate, _cpu in found), statistics.mean(cpu for _rate, cpu in found)


def argon2_rate(seconds: float, processes: int) -> float:
    return argon2_measured(seconds, processes)[0]


def report_cpu(submit_cpu: float, insert_cpu: float, hash_cpu: float,
               target: float) -> None:
    """The same comparison in CPU time, which other work on a shared machine moves far less
    than it moves rates: what the server spent on one submission (the form's GET and the
    POST) against one Argon2id hash. The rate can reach this ratio only if the server has
    the cores to itself. Then what `target` (the bench's ratio to the hash) leaves a
    submission beyond its hash, beside two of floor (a)'s bare POSTs and what it spent."""
    print(f"server CPU a submission: {submit_cpu:6.1f} ms (GET + POST); a floor (a) POST "
          f"{insert_cpu:.1f} ms; an Argon2id hash {hash_cpu:.1f} ms")
    print(f"CPU ratio to floor (b): {hash_cpu / submit_cpu:8.2f}   (the hash's share of a "
          f"submission's CPU)")
    allowed = hash_cpu / target - hash_cpu
    print(f"the target of >= {target} leaves a submission {allowed:.1f} ms of CPU beyond the "
          f"hash, for the form page and the post (two floor (a) POSTs: "
          f"{2 * insert_cpu:.1f} ms); it spent {submit_cpu - hash_cpu:.1f} ms")
