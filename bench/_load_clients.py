"""The clients of the load and fault harness (bench/load.py, bench/faults.py): reporters
who fetch the form and send a report, officers working the queue, and the receipts looked
up afterwards. Each keeps a keep-alive connection and its cookies, as a browser does, and
every request is kept as a Sample.
"""

import http.client
import http.cookies
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

REQUEST_TIMEOUT = 60.0  # what a proxy in front (nginx: proxy_read_timeout) waits

BODY = (
    "Улсын бүртгэлийн хэлтэст иргэний үнэмлэх солиулахаар очиход ажилтан бичиг баримтыг "
    "хурдан гаргахын тулд мөнгө нэхсэн. Дараалал удаан, тайлбар өгөөгүй. "
) * 2
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
RECEIPT = re.compile(r'id="receipt">([^<]+)<')
REFERENCE = re.compile(r"<strong>([A-Z]+-\d{4}-\d+)</strong>")
CASE_LINK = re.compile(r'href="(/staff/u/[A-Z]+/c/[A-Z]+-\d{4}-\d+/)"')


@dataclass
class Sample:
    kind: str  # submit, form, floor, queue, case, read, acknowledge, track
    started: float  # time.monotonic()
    ms: float
    status: int  # 0: no answer (refused, reset, timeout)
    error: str = ""  # "" when fine; else what went wrong
    clean: bool = True  # a failure the user sees as a proper page or a refused connection
    receipt: str = ""
    reference: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def judge_failure(status: int, page: bytes) -> bool:
    """A 5xx is clean when it is the site's own error page: HTML, no traceback."""
    text = page.decode(errors="replace")
    return ("Traceback" not in text and "<h1>" in text
            and 'File "' not in text and "Exception" not in text)


def address(number: int, *, staff: bool = False) -> str:
    """A loopback address of a client's own: the server counts each address's open requests
    (core.http_limits.OPEN_PER_CLIENT), as people come from their own."""
    return f"127.0.{1 if staff else 0}.{10 + number % 240}"


class Browser:
    """One client: a keep-alive connection and its cookies, as a browser keeps them."""

    def __init__(self, port: int, cookies: dict | None = None, source: str = "127.0.0.1"):
        self.port = port
        self.source = source
        self.connection = None
        self.cookies = dict(cookies or {})

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reused = self.connection is not None
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT, source_address=(self.source, 0))
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            page = response.read()
        except (http.client.HTTPException, OSError):
            self.close()
            if not reused or method != "GET":
                raise
            # A keep-alive connection the server had closed: a browser tries once more.
            return self.send(method, path, body, headers)
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response, page

    def timed(self, kind: str, method: str, path: str, body=None, headers=None):
        """(Sample, page): the sample says whether it failed, and how."""
        started = time.monotonic()
        try:
            response, page = self.send(method, path, body, headers)
        except TimeoutError:
            return Sample(kind, started, (time.monotonic() - started) * 1000, 0,
                          "timeout"), b""
        except (http.client.HTTPException, OSError) as error:
            self.close()
            return Sample(kind, started, (time.monotonic() - started) * 1000, 0,
                          f"no answer ({type(error).__name__})"), b""
        ms = (time.monotonic() - started) * 1000
        sample = Sample(kind, started, ms, response.status)
        if response.status >= 500:
            sample.error = f"HTTP {response.status}"
            sample.clean = judge_failure(response.status, page)
        return sample, page


def multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n" for name, value in fields.items()]
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def submit_report(browser: Browser, unit: int, think: float = 0.0) -> list[Sample]:
    """GET /report/ for the form's token and the CSRF cookie, wait `think` seconds (the
    person writing), then POST a report and read the receipt from the page. Returns the
    form's sample and, if it came, the submission's."""
    form, page = browser.timed("form", "GET", "/report/")
    if not form.ok:
        return [form]
    fields = dict(HIDDEN.findall(page.decode(errors="replace")))
    if form.status != 200 or "token" not in fields or "csrftoken" not in browser.cookies:
        form.error = f"form not served (HTTP {form.status})"
        return [form]
    fields.update({"unit": str(unit), "kind": "complaint", "body": BODY,
                   "where": "Сайншанд", "when": "өнгөрсөн долоо хоногт", "website": ""})
    body, content_type = multipart(fields)
    if think:
        # The server drops an idle keep-alive connection after 5 s; the person's browser
        # sends the report on a new one.
        browser.close()
        time.sleep(think)
    sent, page = browser.timed("submit", "POST", "/report/", body, {
        "Content-Type": content_type, "Origin": "null"})
    if sent.ok:
        text = page.decode(errors="replace")
        receipt, reference = RECEIPT.search(text), REFERENCE.search(text)
        if sent.status == 200 and receipt:
            sent.receipt = receipt.group(1).strip()
            sent.reference = reference.group(1) if reference else ""
        elif sent.status != 409:  # 409: the same form arrived twice, and was kept once
            sent.error = f"no receipt (HTTP {sent.status})"
    return [form, sent]


def track(browser: Browser, receipt: str, reference: str = "") -> Sample:
    form, page = browser.timed("track", "GET", "/track/")
    if not form.ok:
        return form
    fields = dict(HIDDEN.findall(page.decode(errors="replace")))
    body = urlencode({**fields, "receipt": receipt}).encode()
    found, page = browser.timed("track", "POST", "/track/", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Origin": "null"})
    if found.ok and (found.status != 200 or reference.encode() not in page):
        found.error = f"receipt not found (HTTP {found.status})"
    return found


def post_floor(browser: Browser) -> Sample:
    sample, page = browser.timed("floor", "POST", "/bench/floor/", b"",
                                 {"Content-Type": "text/plain"})
    if sample.ok and (sample.status != 200 or page != b"ok"):
        sample.error = f"floor answered HTTP {sample.status}"
    return sample


class Staff:
    """A signed-in officer working the queue: open it, open a case, read it (an audited
    POST), acknowledge it when it is new."""

    def __init__(self, port: int, info: dict, session_key: str, source: str = "127.0.0.1"):
        self.info = info
        self.browser = Browser(port, {info["session_cookie"]: session_key}, source)
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"

    def post(self, kind: str, path: str, page: bytes) -> tuple[Sample, bytes]:
        fields = dict(HIDDEN.findall(page.decode(errors="replace")))
        token = fields.get("csrfmiddlewaretoken", "")
        body = urlencode({"csrfmiddlewaretoken": token}).encode()
        sample, page = self.browser.timed(kind, "POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})
        if sample.ok and sample.status not in (200, 302, 409):
            sample.error = f"HTTP {sample.status}"
        return sample, page

    def round(self, rng) -> list[Sample]:
        unit = self.info["unit_code"]
        samples = []
        queue, page = self.browser.timed("queue", "GET", f"/staff/u/{unit}/queue/")
        samples.append(queue)
        if not queue.ok:
            return samples
        if queue.status != 200:
            queue.error = f"queue answered HTTP {queue.status}"
            return samples
        cases = CASE_LINK.findall(page.decode(errors="replace"))
        if not cases:
            return samples
        link = rng.choice(cases[:10])
        case, page = self.browser.timed("case", "GET", link)
        samples.append(case)
        if not case.ok or case.status != 200:
            if case.ok:
                case.error = f"case answered HTTP {case.status}"
            return samples
        read, _ = self.post("read", link + "read/", page)
        samples.append(read)
        if f'action="{link}acknowledge/"'.encode() in page:
            samples.append(self.post("acknowledge", link + "acknowledge/", page)[0])
        return samples


@dataclass
class Run:
    samples: list[Sample] = field(default_factory=list)
    started: float = 0.0
    seconds: float = 0.0

    def of(self, *kinds: str) -> list[Sample]:
        return [s for s in self.samples if s.kind in kinds]

    def receipts(self) -> list[Sample]:
        return [s for s in self.samples if s.receipt]


def drive(port: int, *, clients: int, seconds: float, info: dict, staff: int = 0,
          floor: bool = False, pause_on_failure: float = 0.2, think: float = 0.0) -> Run:
    """`clients` reporters (or floor clients) and `staff` officers work back to back for
    `seconds`; every sample is kept. A reporter spends about `think` seconds between the
    form and sending it (0: none, the harshest load); the floor clients never wait."""
    run = Run(started=time.monotonic(), seconds=seconds)
    lock = threading.Lock()
    stop_at = run.started + seconds

    def reporter(number):
        browser = Browser(port, source=address(number))
        mine = []
        rng = random.Random(number)
        if think and not floor:
            # People do not all open the form at the same moment, nor write equally fast:
            # each starts within one think time and takes 0.5 to 1.5 of it to write.
            time.sleep(rng.uniform(0, think))
        while time.monotonic() < stop_at:
            got = ([post_floor(browser)] if floor
                   else submit_report(browser, info["unit"],
                                      think and rng.uniform(0.5 * think, 1.5 * think)))
            mine.extend(got)
            if not all(s.ok for s in got):
                time.sleep(pause_on_failure)
        browser.close()
        with lock:
            run.samples.extend(mine)

    def officer(number):
        rng = random.Random(number)
        worker = Staff(port, info, info["sessions"][number % len(info["sessions"])],
                       address(number, staff=True))
        mine = []
        while time.monotonic() < stop_at:
            got = worker.round(rng)
            mine.extend(got)
            if not all(s.ok for s in got):
                time.sleep(pause_on_failure)
        worker.browser.close()
        with lock:
            run.samples.extend(mine)

    threads = [threading.Thread(target=reporter, args=(n,), daemon=True)
               for n in range(clients)]
    threads += [threading.Thread(target=officer, args=(n,), daemon=True) for n in range(staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def track_all(port: int, receipts: list[Sample], clients: int = 16) -> list[tuple[Sample, Sample]]:
    """Looks every shown receipt up on /track/; returns (submission, lookup) of those that
    did not resolve."""
    missing = []
    lock = threading.Lock()
    todo = list(receipts)

    def client():
        browser = Browser(port)
        while True:
            with lock:
                if not todo:
                    break
                shown = todo.pop()
            for _attempt in range(3):
                found = track(browser, shown.receipt, shown.reference)
                if found.ok or found.status:
                    break
                time.sleep(0.5)
            if not found.ok:
                with lock:
                    missing.append((shown, found))
        browser.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return missing
