"""A stand-in for an agency's API on this computer, for trying referral delivery by hand
(`manage.py agency_standin`) and for the delivery tests, which need a real HTTP server that
misbehaves on purpose.

It behaves as we ask real agencies to: it checks the signature with the shared secret,
keeps one delivery per `Idempotency-Key` (a repeat is answered 200 again and not counted
twice), and, if given Shugel's callback address, acknowledges each new referral a little
later by a signed callback carrying an invented reference number. It prints only a
referral's number, the package's SHA-256 and the key: never what the package says.

Modes (`mode`, changeable while it runs):
    accept   take packages; `failures` first calls, or a `fail_fraction` of calls, get 500
    fail     answer every call with 500
    slow     take the package, then sleep `sleep_seconds` before answering (past a timeout)
    refuse   answer every call with `refuse_status` (a 4xx: a permanent refusal)
"""

import hashlib
import json
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from outbox import signing

MAX_PACKAGE_BYTES = 64 * 1024 * 1024


@dataclass
class Received:
    key: str
    reference: str
    sha256: str
    size: int
    agency_reference: str
    times: int = 1


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass  # the base class would print the caller's address

    def _answer(self, status: int, payload: dict):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the sender gave up waiting (a timeout, or it was killed)

    def do_POST(self):  # noqa: N802 (the base class's name)
        self.server.standin.handle(self)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: "AgencyStandIn"


class AgencyStandIn:
    def __init__(self, secret: str, *, host: str = "127.0.0.1", port: int = 0,
                 mode: str = "accept", failures: int = 0, fail_fraction: float = 0.0,
                 sleep_seconds: float = 0.0, refuse_status: int = 422,
                 pause_seconds: float = 0.0, callback_url: str | None = None,
                 ack_delay: float = 2.0, reference_prefix: str = "АТГ-2026/",
                 seed: int | None = None, log=None):
        self.secret = secret
        self.mode, self.failures, self.fail_fraction = mode, failures, fail_fraction
        self.sleep_seconds, self.refuse_status = sleep_seconds, refuse_status
        # Between keeping a package and answering: a sender killed in this gap has
        # delivered without knowing it, and will send the same package again.
        self.pause_seconds = pause_seconds
        self.callback_url, self.ack_delay = callback_url, ack_delay
        self.reference_prefix = reference_prefix
        self.log = log or (lambda line: None)
        self.deliveries: dict[str, Received] = {}
        self.calls = self.failed = self.refused = self.unsigned = self.repeats = 0
        self.acknowledged: list[tuple[str, int]] = []
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.standin = self
        self._thread: threading.Thread | None = None

    # -- running ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/referrals/"

    def start(self) -> "AgencyStandIn":
        # A short poll, so that stop() returns at once.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name="agency-standin")
        self._thread.start()
        return self

    def serve_forever(self):
        self._server.serve_forever()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def accepted_keys(self) -> int:
        """How many distinct packages it holds."""
        return len(self.deliveries)

    # -- one request -------------------------------------------------------------------------

    def _should_fail(self) -> bool:
        with self._lock:
            if self.failures > 0:
                self.failures -= 1
                return True
            return self._random.random() < self.fail_fraction

    def handle(self, request: _Handler):
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_PACKAGE_BYTES:
            request._answer(413, {"error": "too large"})
            return
        body = request.rfile.read(length)
        with self._lock:
            self.calls += 1
        try:
            signing.verify(self.secret, body,
                           timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
                           signature=request.headers.get(signing.SIGNATURE_HEADER))
        except signing.SignatureError as error:
            with self._lock:
                self.unsigned += 1
            request._answer(401, {"error": str(error)})
            return
        key = request.headers.get("Idempotency-Key", "")
        try:
            key = str(uuid.UUID(key))
            package = json.loads(body)
            # A referral, a monthly report, or a checkpoint of the audit trail to witness.
            reference = str(package.get("referral") or package.get("report")
                            or package["checkpoint"])
        except (ValueError, KeyError, TypeError):
            request._answer(400, {"error": "not a referral package"})
            return
        mode = self.mode
        if mode == "refuse":
            with self._lock:
                self.refused += 1
            request._answer(self.refuse_status, {"error": "refused"})
            return
        if mode == "fail" or (mode == "accept" and self._should_fail()):
            with self._lock:
                self.failed += 1
            request._answer(500, {"error": "try again later"})
            return
        received, new = self._keep(key, reference, body)
        if new:
            self.log(f"received {reference} sha256={received.sha256} key={key}")
            # Referrals are acknowledged; a monthly report is taken as it is.
            if self.callback_url and "referral" in package:
                timer = threading.Timer(self.ack_delay, self._acknowledge, args=(received,))
                timer.daemon = True
                timer.start()
        else:
            self.log(f"repeated {reference} key={key}")
        if mode == "slow":
            time.sleep(self.sleep_seconds)
        elif self.pause_seconds:
            time.sleep(self.pause_seconds)
        request._answer(200, {"received": key, "reference": received.agency_reference,
                              "duplicate": not new})

    def _keep(self, key: str, reference: str, body: bytes) -> tuple[Received, bool]:
        with self._lock:
            if key in self.deliveries:
                self.repeats += 1
                self.deliveries[key].times += 1
                return self.deliveries[key], False
            received = Received(
                key=key, reference=reference, sha256=hashlib.sha256(body).hexdigest(),
                size=len(body),
                agency_reference=f"{self.reference_prefix}{len(self.deliveries) + 1:04d}",
            )
            self.deliveries[key] = received
            return received, True

    def _acknowledge(self, received: Received):
        """The agency's signed acknowledgement, as it would post it to Shugel."""
        body = json.dumps({
            "event_id": f"ack-{received.key}", "idempotency_key": received.key,
            "kind": "acknowledgement", "agency_reference": received.agency_reference,
            "status": "received",
        }, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 (Shugel's own http(s) address)
            self.callback_url, data=body, method="POST",
            headers={"Content-Type": "application/json", **signing.sign(self.secret, body)},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            self.log(f"acknowledgement of {received.reference} not sent: "
                     f"{type(error).__name__}")
            return
        with self._lock:
            self.acknowledged.append((received.key, status))
        self.log(f"acknowledged {received.reference} as {received.agency_reference}: "
                 f"HTTP {status}")
