"""The parts of bench/load.py and bench/faults.py that run inside Django, in a process of
their own (the harness itself never imports Django, so it can kill and restart servers
freely):

    python bench/_load_django.py setup STAFF   the floor's table, STAFF officers of DG with a
                                               confirmed TOTP device each and a signed-in,
                                               second-factor-verified session; prints JSON
    python bench/_load_django.py check         every complaint whole (data key, content that
                                               decrypts, its audit event); prints JSON
    python bench/_load_django.py enqueue       queues the worker's heartbeat task; prints the
                                               heartbeat's time before it (JSON)
    python bench/_load_django.py heartbeat     prints the heartbeat's time (JSON)
    python bench/_load_django.py argon2 SECONDS  the receipt's Argon2id hashes a second on
                                               every core, with the deployment's keyring
                                               (the floor of bench/intake_submit.py)

The environment (DATABASE_URL, SHUGEL_*, DJANGO_SETTINGS_MODULE) is the harness's.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,  # noqa: E402
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from org.models import Membership, Role, Unit  # noqa: E402

STAFF_PASSWORD = "load-test-only-not-a-real-password"


def setup(staff: int) -> dict:
    from bench.intake_submit_urls import create_floor_table

    create_floor_table()
    unit = Unit.objects.get(code="DG")
    sessions = []
    for number in range(1, staff + 1):
        user, _ = get_user_model().objects.get_or_create(
            username=f"load_officer{number}", defaults={"first_name": "Ачаалал",
                                                        "last_name": str(number)})
        user.set_password(STAFF_PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, unit=unit, role=Role.OFFICER)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="phone",
                                                     defaults={"confirmed": True})
        # What django.contrib.auth.login and django_otp.login leave in the session after a
        # password and a verified code.
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        sessions.append(session.session_key)
    return {"unit": unit.pk, "unit_code": unit.code, "sessions": sessions,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME}


def check() -> dict:
    """A complaint is whole when its data key is there and opens its content, and the audit
    trail holds the event that logged it. Receipts are checked over HTTP by the harness."""
    from audit.models import AuditEvent
    from intake.models import Complaint
    from vault.errors import VaultError

    logged = set(AuditEvent.objects.filter(action="complaint.logged",
                                           object_type="intake.complaint")
                 .values_list("object_id", flat=True))
    problems = []
    complaints = 0
    for complaint in Complaint.objects.select_related("data_key").order_by("pk").iterator():
        complaints += 1
        if complaint.data_key_id is None:
            problems.append(f"{complaint.reference}: no data key")
            continue
        try:
            body = complaint.body.reveal()
            if not body:
                problems.append(f"{complaint.reference}: empty body")
        except VaultError as error:
            problems.append(f"{complaint.reference}: does not decrypt ({type(error).__name__})")
        if str(complaint.pk) not in logged:
            problems.append(f"{complaint.reference}: no complaint.logged audit event")
    return {"complaints": complaints, "web": Complaint.objects.filter(channel="web").count(),
            "problems": problems}


def heartbeat() -> dict:
    from core.models import Heartbeat

    beat = Heartbeat.objects.filter(name="worker").first()
    return {"seen_at": beat.seen_at.isoformat() if beat else None}


def enqueue() -> dict:
    from django_q.tasks import async_task

    before = heartbeat()
    async_task("core.tasks.heartbeat")
    return before


if __name__ == "__main__":
    action = sys.argv[1]
    if action == "setup":
        result = setup(int(sys.argv[2]))
    elif action == "check":
        result = check()
    elif action == "enqueue":
        result = enqueue()
    elif action == "heartbeat":
        result = heartbeat()
    elif action == "argon2":
        import os

        from _submit_floors import argon2_rate

        result = {"rate": argon2_rate(float(sys.argv[2]), os.cpu_count() or 1),
                  "cores": os.cpu_count() or 1}
    else:
        raise SystemExit(f"unknown action {action!r}")
    print(json.dumps(result))
