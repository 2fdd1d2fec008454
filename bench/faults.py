"""Fault tests: citizens keep submitting reports while part of the deployment fails.

kill      The embedded deployment (`manage.py serve` on SQLite) is killed with SIGKILL, web
          server and task worker at once, in the middle of submissions, and started again.
          Every receipt a client was shown must open its case on /track/ (POST); no
          complaint may be half-written (each has its data key, its content decrypts, its
          `complaint.logged` audit event is there); `manage.py verify_audit` must exit 0.
redis     The scaled deployment (PostgreSQL, Redis, uvicorn with several workers, a django-q
          worker) loses Redis (a redis-server of its own on port 6391, shut down and started
          again) under load. Requests must go on succeeding or fail cleanly, nothing may be
          lost, and the service must recover by itself.
postgres  The scaled deployment's PostgreSQL (a cluster of its own, initdb into a temp dir,
          port 5499) is restarted under load. Requests may fail while it is down, but only
          with the site's translated error page (no traceback, no request left unanswered);
          afterwards the web processes and the task worker must recover WITHOUT a restart
          (new submissions succeed; a task queued afterwards is run).

`redis` and `postgres` run one after the other on one scaled deployment (one set-up).
Every scenario ends with the same checks (receipts on /track/, whole complaints,
verify_audit). Nothing here is about speed: the exit status is 1 only when a check failed.
The shared PostgreSQL (5432) and Redis (6379) are never touched.

    .venv/bin/python bench/faults.py [--quick] [kill redis postgres]
"""

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from _load_clients import Sample, drive, track_all
from _load_deployment import Deployment, PostgresCluster, RedisServer
from _load_figures import failures, server_problems

SCENARIOS = ("kill", "redis", "postgres")


class Scenario:
    """Runs clients in the background for `seconds` while `disrupt` runs in the foreground,
    then checks what the clients were shown against what the database holds."""

    def __init__(self, name: str, deployment: Deployment, *, clients: int, seconds: float,
                 quiet_answers_clean: bool):
        self.name, self.deployment = name, deployment
        self.clients, self.seconds = clients, seconds
        # After SIGKILL nothing can answer: a refused or reset connection is the clean
        # failure there. A deployment whose server stays up must answer every request.
        self.quiet_answers_clean = quiet_answers_clean
        self.notes: list[str] = []
        self.broken: list[str] = []
        self.samples: list[Sample] = []

    def run(self, disrupt) -> None:
        deployment = self.deployment
        info = deployment.session_info
        result = {}

        def clients():
            result["run"] = drive(deployment.port, clients=self.clients, seconds=self.seconds,
                                  info=info, staff=1, pause_on_failure=0.3)

        driver = threading.Thread(target=clients, daemon=True)
        self.started = time.monotonic()
        driver.start()
        disrupt(self)
        driver.join()
        self.samples = result["run"].samples
        self.check()

    def at(self, share: float) -> None:
        """Waits until `share` of the run has passed."""
        time.sleep(max(0.0, self.started + share * self.seconds - time.monotonic()))

    def check(self) -> None:
        deployment = self.deployment
        samples = self.samples
        for sample in samples:
            if not sample.ok and not sample.status and not self.quiet_answers_clean:
                sample.clean = False
        dirty = [s for s in samples if not s.ok and not s.clean]
        if dirty:
            self.broken.append(f"{len(dirty)} requests failed uncleanly")
        shown = [s for s in samples if s.receipt]
        lost = track_all(deployment.port, shown)
        if lost:
            self.broken.append(f"{len(lost)} of {len(shown)} shown receipts do not open "
                               "their case on /track/")
            for submission, found in lost[:5]:
                self.notes.append(f"lost: {submission.reference} ({found.error})")
        deployment.stop()
        whole = deployment.django("check")
        if whole["problems"]:
            self.broken.append(f"{len(whole['problems'])} half-written complaints")
            self.notes.extend(whole["problems"][:10])
        audit = deployment.run("manage.py", "verify_audit", check=False)
        verified = "Audit trail intact" in audit
        if not verified:
            self.broken.append("verify_audit did not pass")
            self.notes.append(audit[-1000:])
        locked = server_problems(deployment.logs())["database is locked"]
        if locked:
            self.broken.append(f'"database is locked" {locked} times in the servers\' output')
        submitted = [s for s in samples if s.kind == "submit"]
        self.notes.insert(0, (
            f"{len(samples)} requests, {sum(s.ok for s in samples)} ok; submissions: "
            f"{sum(s.ok for s in submitted)} ok, {sum(not s.ok for s in submitted)} failed; "
            f"receipts shown {len(shown)}, all found on /track/: {not lost}; complaints in "
            f"the database {whole['complaints']}, half-written {len(whole['problems'])}; "
            f"verify_audit: {'intact' if verified else 'FAILED'}"))
        for what, count in sorted(failures(samples).items()):
            self.notes.append(f"failed: {what}: {count}")

    def recovered_after(self, moment: float, until: float) -> float | None:
        """Seconds from `moment` to the first success after which nothing failed before
        `until`, or None if requests were still failing then."""
        after = sorted((s for s in self.samples
                        if moment <= s.started and s.started + s.ms / 1000 < until),
                       key=lambda s: s.started)
        if not after or not after[-1].ok:
            return None
        last_failure = max((s.started for s in after if not s.ok), default=moment)
        first_good = min((s.started + s.ms / 1000 for s in after
                          if s.ok and s.started > last_failure), default=None)
        return None if first_good is None else max(0.0, first_good - moment)

    def require_recovery(self, moment: float, label: str, until: float = float("inf")) -> None:
        took = self.recovered_after(moment, until)
        if took is None:
            self.broken.append(f"the service had not recovered by the end after {label}")
        else:
            self.notes.append(f"recovered {took:.1f} s after {label}")
            tail = [s for s in self.samples
                    if moment + took <= s.started and s.started + s.ms / 1000 < until]
            if not any(s.kind == "submit" and s.ok for s in tail):
                self.broken.append(f"no submission succeeded after {label}")


# --- the scenarios -----------------------------------------------------------------------------

def scenario_kill(args, workdir: Path) -> Scenario:
    deployment = Deployment(workdir, embedded=True, staff=1)
    try:
        deployment.set_up()
        deployment.start()
        scenario = Scenario("kill", deployment, clients=args.clients,
                            seconds=args.seconds, quiet_answers_clean=True)

        def disrupt(s: Scenario):
            for round_ in range(args.kills):
                s.at((round_ + 1) / (args.kills + 2))
                deployment.kill()
                killed = time.monotonic()
                time.sleep(1.0)
                deployment.start()
                s.notes.append(f"SIGKILL #{round_ + 1} at {killed - s.started:.1f} s; up "
                               f"again {time.monotonic() - killed:.1f} s later")
            s.killed_last = killed

        scenario.run(disrupt)
        first_kill = scenario.started + scenario.seconds / (args.kills + 2)
        if not any(x.receipt and x.started + x.ms / 1000 < first_kill
                   for x in scenario.samples):
            scenario.broken.append("no receipt was shown before the first SIGKILL")
        if hasattr(scenario, "killed_last"):
            scenario.require_recovery(scenario.killed_last, "the last SIGKILL")
        return scenario
    finally:
        deployment.clean_up()


def scaled(args, workdir: Path, cluster: PostgresCluster, redis: RedisServer) -> Deployment:
    deployment = Deployment(workdir, embedded=False, admin_url=cluster.url,
                            redis_url=redis.url, web_workers=args.web_workers, staff=1)
    deployment.set_up()
    deployment.start()
    return deployment


def scenario_scaled(args, workdir: Path, faults: list[str]) -> Scenario:
    """Redis stopped and started, then PostgreSQL restarted (either or both), in one run of
    one scaled deployment: the second fault starts from the state the first left."""
    cluster = PostgresCluster(args.pg_port, max_connections=args.clients * 2 + 100).create()
    redis = RedisServer(args.redis_port).start()
    deployment = None
    seconds = args.seconds * len(faults)
    try:
        deployment = scaled(args, workdir, cluster, redis)
        scenario = Scenario("+".join(faults), deployment, clients=args.clients,
                            seconds=seconds, quiet_answers_clean=False)
        marks = {}

        def disrupt(s: Scenario):
            for number, fault in enumerate(faults):
                share = number / len(faults)
                s.at(share + 0.25 / len(faults))
                down = time.monotonic()
                if fault == "redis":
                    redis.stop()
                    s.at(share + 0.5 / len(faults))
                    redis.start()
                else:
                    cluster.stop("fast")
                    time.sleep(args.outage)
                    cluster.start()
                back = time.monotonic()
                marks[fault] = (down, back)
                s.notes.append(f"{fault}: down at {down - s.started:.1f} s for "
                               f"{back - down:.1f} s")
                if fault == "postgres":
                    # The task worker must have come back too: a task queued now must run.
                    before = deployment.django("enqueue")["seen_at"]
                    marks["worker"] = worker_ran(s, before, wait=60)

        scenario.run(disrupt)
        for number, fault in enumerate(faults):
            down, back = marks[fault]
            until = marks[faults[number + 1]][0] if number + 1 < len(faults) else float("inf")
            during = [x for x in scenario.samples if down <= x.started < back]
            scenario.notes.append(f"while {fault} was down: {sum(x.ok for x in during)} "
                                  f"requests ok, {sum(not x.ok for x in during)} failed "
                                  "(cleanly unless said below)")
            scenario.require_recovery(back, f"{fault} came back", until)
        if "postgres" in faults:
            if marks.get("worker"):
                scenario.notes.append("the task worker ran a task queued after the restart")
            else:
                scenario.broken.append("the task worker did not run a task queued after "
                                       "the PostgreSQL restart (within 60 s)")
        return scenario
    finally:
        if deployment:
            deployment.clean_up()
        redis.stop()
        cluster.destroy()


def worker_ran(scenario: Scenario, before: str | None, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if scenario.deployment.django("heartbeat")["seen_at"] != before:
            return True
        time.sleep(1)
    return False




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help=f"any of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="a short run, for CI")
    parser.add_argument("--clients", type=int, help="default 20 (quick 10)")
    parser.add_argument("--seconds", type=float, help="default 40 (quick 16)")
    parser.add_argument("--kills", type=int, help="SIGKILLs in the kill scenario (3, quick 1)")
    parser.add_argument("--outage", type=float, default=3.0,
                        help="seconds PostgreSQL stays down")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--pg-port", type=int, default=5499)
    parser.add_argument("--redis-port", type=int, default=6391)
    args = parser.parse_args()
    args.clients = args.clients or (10 if args.quick else 20)
    args.seconds = args.seconds or (12.0 if args.quick else 40.0)
    args.kills = args.kills or (1 if args.quick else 3)
    chosen = args.scenarios or list(SCENARIOS)
    for name in chosen:
        if name not in SCENARIOS:
            parser.error(f"no scenario {name!r}; choose from {', '.join(SCENARIOS)}")

    runs = [["kill"]] if "kill" in chosen else []
    if [name for name in chosen if name != "kill"]:
        runs.append([name for name in SCENARIOS[1:] if name in chosen])
    failed = False
    for faults in runs:
        workdir = Path(tempfile.mkdtemp(prefix=f"shugel-fault-{faults[0]}-"))
        started = time.monotonic()
        if faults == ["kill"]:
            scenario = scenario_kill(args, workdir)
        else:
            scenario = scenario_scaled(args, workdir, faults)
        print(f"fault '{scenario.name}'{' (quick)' if args.quick else ''}: {args.clients} "
              f"clients + 1 officer for {scenario.seconds:.0f} s; "
              f"{time.monotonic() - started:.0f} s in all")
        for note in scenario.notes:
            print(f"  {note}")
        if scenario.broken:
            failed = True
            for problem in scenario.broken:
                print(f"  FAILED: {problem}")
        else:
            print("  passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
