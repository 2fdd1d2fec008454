"""Delivering referrals by email: a real SMTP server on 127.0.0.1 (aiosmtpd) receives the
message, and the agency's private key (made for the test) opens the attachment."""

import email
import email.policy
import hashlib
import socket
import subprocess
from datetime import timedelta

import gnupg
import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError

from outbox.models import Agency, DeliveryAttempt
from outbox.openpgp import GPG_BINARY, openpgp_encrypt
from outbox.tasks import deliver
from routing.models import ReferralState
from tests.intake.pages_case import NOW, make_case
from tests.routing.helpers import approved_referral, make_agency

pytestmark = pytest.mark.django_db

CANARY = "Канарейка-имэйл-77665544"
AGENCY_EMAIL = "referrals@atg.example.mn"
REFUSED_EMAIL = "nobody@atg.example.mn"


class Mailbox:
    """aiosmtpd handler: keeps every message as it arrived on the wire."""

    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == REFUSED_EMAIL:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def agency_keys(tmp_path_factory):
    """The agency's key pair, made fresh (ed25519 for signing, cv25519 for encryption)."""
    home = tmp_path_factory.mktemp("agency-gnupg")
    gpg = gnupg.GPG(gpgbinary=GPG_BINARY, gnupghome=str(home))
    made = gpg.gen_key(gpg.gen_key_input(
        key_type="EDDSA", key_curve="ed25519", subkey_type="ECDH", subkey_curve="cv25519",
        name_real="ATG referrals", name_email=AGENCY_EMAIL, expire_date="1d",
        no_protection=True,
    ))
    assert made.fingerprint, made.stderr
    yield gpg, gpg.export_keys(made.fingerprint)
    # Making and using the private key started an agent for this home; it goes with it.
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER = False, ""
    settings.EMAIL_TIMEOUT = 5
    yield mailbox
    controller.stop()


@pytest.fixture
def clock(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def case(units, personas, clock):
    return make_case(units, personas, body=f"Мөнгө нэхсэн. Гэрч: {CANARY}")


def _email_agency(public_key, address=AGENCY_EMAIL) -> Agency:
    return make_agency("atg-mail", delivery=Agency.Delivery.EMAIL, email=address,
                       openpgp_key=public_key)


def test_the_package_arrives_encrypted_and_opens_with_the_agencys_key(
        case, personas, smtp, agency_keys):
    gpg, public_key = agency_keys
    referral = approved_referral(case, personas["officer"], personas["head"],
                                 _email_agency(public_key))
    outbox = referral.outbox
    assert deliver(outbox.pk) == "delivered"

    [envelope] = smtp.received
    assert envelope.rcpt_tos == [AGENCY_EMAIL]
    raw = envelope.original_content
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Message-ID"].startswith(f"<{outbox.key}@")
    assert message["Idempotency-Key"] == str(outbox.key)
    assert referral.reference in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{referral.reference}.json.asc"
    armoured = attachment.get_payload(decode=True)
    assert armoured.startswith(b"-----BEGIN PGP MESSAGE-----")

    opened = gpg.decrypt(armoured)
    assert opened.ok, opened.status
    assert hashlib.sha256(opened.data).hexdigest() == outbox.package_sha256
    assert CANARY.encode() in opened.data  # the canary was in what was sent...
    assert CANARY.encode() not in raw  # ...and nowhere on the wire in the clear
    for part in message.walk():
        payload = part.get_payload(decode=True)
        assert payload is None or CANARY.encode() not in payload

    referral.refresh_from_db()
    assert referral.state == ReferralState.DELIVERED
    assert DeliveryAttempt.objects.get(outbox=outbox).detail == "sent by email"


def test_a_mailbox_that_does_not_exist_is_a_dead_letter(case, personas, smtp, agency_keys):
    referral = approved_referral(case, personas["officer"], personas["head"],
                                 _email_agency(agency_keys[1], address=REFUSED_EMAIL))
    assert deliver(referral.outbox.pk) == "dead"
    assert referral.outbox.last_error == "SMTP [550]"
    assert smtp.received == []


def test_a_mail_server_that_is_down_is_retried(case, personas, settings, agency_keys, clock):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    referral = approved_referral(case, personas["officer"], personas["head"],
                                 _email_agency(agency_keys[1]))
    assert deliver(referral.outbox.pk) == "retry"
    outbox = referral.outbox
    assert outbox.last_error == "ConnectionRefusedError"
    assert outbox.next_attempt_at > NOW + timedelta(seconds=20)


def test_the_throwaway_keyring_is_removed(agency_keys, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    armoured = openpgp_encrypt(b'{"x": 1}', agency_keys[1])
    assert armoured.startswith("-----BEGIN PGP MESSAGE-----")
    assert list(tmp_path.iterdir()) == []


def test_an_email_agency_needs_an_address_and_a_key_that_imports(db, agency_keys):
    agency = _email_agency("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnonsense\n", address="")
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert set(refused.value.message_dict) == {"email", "openpgp_key"}
    agency.email, agency.openpgp_key = AGENCY_EMAIL, agency_keys[1]
    agency.full_clean()
