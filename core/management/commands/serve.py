import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve the site with an ASGI server (uvicorn) and run the django-q2 task worker beside "
        "it. Ctrl-C stops both. Neither logs client addresses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve only; run the worker elsewhere."
        )

    def handle(self, *args, host, port, no_worker, **options):
        web = [
            sys.executable, "-m", "uvicorn", "config.asgi:application",
            "--host", host, "--port", str(port),
            "--no-access-log", "--no-server-header", "--lifespan", "off",
            # Nothing is in front of this server: the peer's own address is the client's,
            # whatever a header claims (the rate limits key on it, vault/clients.py).
            "--no-proxy-headers",
        ]
        processes = [subprocess.Popen(web)]
        if not no_worker:
            processes.append(subprocess.Popen([sys.executable, "manage.py", "qcluster"]))
        self.stdout.write(f"Shugel is at http://{host}:{port}/ ({settings.ENVIRONMENT}).")

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.3)
        finally:
            self.shutdown(processes)
        failed = [p.returncode for p in processes if p.returncode not in (0, -2, -15, None)]
        if failed and not stopping:
            raise SystemExit(1)

    def shutdown(self, processes):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.stdout.write("Stopped.")
