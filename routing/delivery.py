"""Delivering referral packages: one sender per way an agency takes referrals, and the
outbox workflow around them.

An outbox row is claimed with a lease (one conditional UPDATE, so two workers never send the
same row at once, and a worker that dies lets go when the lease runs out), the try is logged,
the package is sent outside any transaction, and the outcome is recorded in one transaction
that still holds the lease. A package may reach the agency twice (a worker killed between
sending and recording); it always carries the same `Idempotency-Key`, the outbox row's key,
so the agency keeps it once.

What we keep of a try is a status code or the kind of error: never what the agency said, and
never what was sent. Letters are not sent from here: staff post them and say so
(routing.services.letter_mark_sent).
"""

import hashlib
import http.client
import logging
import smtplib
import ssl
import tempfile
from datetime import timedelta
from urllib.parse import urlsplit

import gnupg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record
from notify.models import Kind as Notice
from org.models import Role
from routing import signing
from routing.models import Agency, DeliveryAttempt, Outbox, Referral, ReferralState
from routing.outbox import reference_of, subject_for
from routing.services import (
    locked_referral,
    mark_delivered,
    notify_about,
    outbox_context,
    require_role,
)
from vault.files import open_encrypted

logger = logging.getLogger(__name__)
# python-gnupg logs what gpg writes back (for us, ciphertext) at DEBUG; keep it quiet anyway.
logging.getLogger("gnupg").setLevel(logging.WARNING)

GPG_BINARY = "/usr/bin/gpg"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class DeliveryError(Exception):
    """A try that did not deliver. `detail` is a status code or an error's class name, safe
    to keep; `permanent` means trying again will not help (the agency refused the package)."""

    def __init__(self, detail: str, *, permanent: bool = False):
        super().__init__(detail)
        self.detail = detail[:200]
        self.permanent = permanent


# --- checks shared with Agency.clean --------------------------------------------------------

def api_url_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (the stand-in agency, tests)."""
    parts = urlsplit(url or "")
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in LOCAL_HOSTS


def _gpg(home: str) -> gnupg.GPG:
    return gnupg.GPG(gpgbinary=GPG_BINARY, gnupghome=home)


def _import_one_key(gpg: gnupg.GPG, public_key: str) -> str | None:
    """The fingerprint of the one encryption-capable public key in `public_key`, or None.
    More than one key is refused: a second key would let a second reader open the package."""
    gpg.import_keys(public_key or "")
    keys = gpg.list_keys()
    if len(keys) != 1 or "E" not in keys[0].get("cap", ""):
        return None
    return keys[0]["fingerprint"]


def openpgp_key_usable(public_key: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="shugel-gpg-", ignore_cleanup_errors=True) as home:
        return _import_one_key(_gpg(home), public_key) is not None


def openpgp_encrypt(data: bytes, public_key: str) -> str:
    """`data` encrypted to `public_key`, ASCII-armoured. The key is imported into a keyring
    made for this one call and removed after it, so no agency's key outlives its use and
    nothing but the key is ever written there (the data goes through a pipe)."""
    with tempfile.TemporaryDirectory(prefix="shugel-gpg-", ignore_cleanup_errors=True) as home:
        gpg = _gpg(home)
        fingerprint = _import_one_key(gpg, public_key)
        if fingerprint is None:
            raise DeliveryError("OpenPGP key unusable", permanent=True)
        result = gpg.encrypt(data, fingerprint, armor=True, always_trust=True)
        if not result.ok:
            raise DeliveryError(f"OpenPGP: {result.status}"[:200], permanent=True)
        return str(result)


# --- the senders ----------------------------------------------------------------------------

def read_package(outbox: Outbox) -> bytes:
    data = b"".join(open_encrypted(outbox.package_name, data_key=outbox.data_key,
                                   context=outbox_context(reference_of(outbox))))
    if hashlib.sha256(data).hexdigest() != outbox.package_sha256:
        raise DeliveryError("package hash mismatch", permanent=True)
    return data


class ApiSender:
    """POSTs the package to the agency's endpoint, signed (routing.signing). Redirects are
    not followed: the address is the whole endpoint, and a redirect would drop the body."""

    RETRY_STATUSES = {408, 425, 429}

    def send(self, outbox: Outbox, data: bytes) -> str:
        agency = outbox.agency
        if not api_url_allowed(agency.api_url):
            raise DeliveryError("API address not allowed", permanent=True)
        secret = agency.api_secret.reveal() if agency.api_secret is not None else ""
        if not secret:
            raise DeliveryError("no API secret", permanent=True)
        parts = urlsplit(agency.api_url)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Shugel",
            "Idempotency-Key": str(outbox.key),
            **signing.sign(secret, data),
        }
        timeout = settings.AGENCY_HTTP_TIMEOUT_SECONDS
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=data, headers=headers)
            response = connection.getresponse()
            status = response.status
            response.read(64 * 1024)  # drained, never kept
        except TimeoutError:
            raise DeliveryError("timeout")
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryError(type(error).__name__)
        finally:
            connection.close()
        if 200 <= status < 300:
            return f"HTTP {status}"
        if status in self.RETRY_STATUSES or status >= 500:
            raise DeliveryError(f"HTTP {status}")
        raise DeliveryError(f"HTTP {status}", permanent=True)


class EmailSender:
    """Mails the package encrypted with OpenPGP to the agency's key. The message itself says
    only which referral it is; its Message-ID comes from the outbox key, so a message sent
    twice is recognisably the same message."""

    def send(self, outbox: Outbox, data: bytes) -> str:
        agency = outbox.agency
        if not agency.email:
            raise DeliveryError("no email address", permanent=True)
        armoured = openpgp_encrypt(data, agency.openpgp_key)
        reference = reference_of(outbox)
        other = subject_for(outbox) if outbox.referral_id is None else None
        with translation.override(settings.LANGUAGE_CODE):
            subject = (other.email_subject(outbox) if other
                       else _("Referral %(reference)s") % {"reference": reference})
            body = _(
                "%(subject)s is attached as an encrypted package (OpenPGP).\n"
            ) % {"subject": subject}
        domain = urlsplit(settings.SITE_URL).hostname or "shugel.invalid"
        message = EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [agency.email],
            headers={"Message-ID": f"<{outbox.key}@{domain}>",
                     "Idempotency-Key": str(outbox.key)},
        )
        message.attach(f"{reference}.json.asc", armoured.encode("ascii"),
                       "application/pgp-encrypted")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _text in error.recipients.values()})
            raise DeliveryError(f"SMTP {codes}", permanent=all(c >= 500 for c in codes))
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(f"SMTP {error.smtp_code}", permanent=error.smtp_code >= 500)
        except TimeoutError:
            raise DeliveryError("timeout")
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(type(error).__name__)
        return "sent by email"


SENDERS = {Agency.Delivery.API: ApiSender, Agency.Delivery.EMAIL: EmailSender}


def sender_for(delivery: str):
    try:
        return SENDERS[delivery]()
    except KeyError:
        raise DeliveryError(f"no sender for {delivery}", permanent=True)


# --- the outbox workflow --------------------------------------------------------------------

def _due(now):
    return Outbox.objects.filter(state=Outbox.State.PENDING, next_attempt_at__lte=now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now))


def due_outbox_ids(limit: int) -> list[int]:
    return list(_due(timezone.now()).order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit])


def retry_delay(attempts: int) -> timedelta:
    """Doubles from the base with each try, up to the cap."""
    base, cap = settings.REFERRAL_RETRY_BASE_SECONDS, settings.REFERRAL_RETRY_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def deliver_outbox(outbox_id: int) -> str:
    """One try at delivering one outbox row, if it is due and nobody else holds it. Returns
    what happened, in a few words, for the task's result."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        claimed = _due(now).filter(pk=outbox_id).update(lease_until=lease,
                                                        attempts=F("attempts") + 1)
        if not claimed:
            return "not due"
        outbox = Outbox.objects.select_related("agency", "referral", "data_key").get(
            pk=outbox_id)
        attempt = DeliveryAttempt.objects.create(outbox=outbox, number=outbox.attempts,
                                                 started_at=now)
    try:
        data = read_package(outbox)
        detail = sender_for(outbox.delivery).send(outbox, data)
        outcome = DeliveryAttempt.Outcome.DELIVERED
    except DeliveryError as error:
        detail = error.detail
        outcome = (DeliveryAttempt.Outcome.PERMANENT if error.permanent
                   else DeliveryAttempt.Outcome.RETRY)
    except Exception as error:  # a try never crashes the worker
        # The class name only: an exception's message might quote what it choked on.
        detail, outcome = type(error).__name__, DeliveryAttempt.Outcome.RETRY
        logger.error("outbox %s: unexpected %s while sending", outbox.pk, detail)
    return _record_outcome(outbox, lease, attempt, outcome, detail)


def _record_outcome(outbox: Outbox, lease, attempt: DeliveryAttempt, outcome: str,
                    detail: str) -> str:
    if outbox.referral_id is None:
        return _record_other_outcome(outbox, lease, attempt, outcome, detail)
    with transaction.atomic():
        # Only the referral's row, and FOR NO KEY UPDATE: a lock on the joined unit row
        # blocks the foreign-key checks of every transaction that holds the audit chain's
        # head and wrote an event of that unit, while this one waits for the head: deadlock.
        referral = (Referral.objects.select_for_update(no_key=True, of=("self",))
                    .select_related("agency", "unit").get(pk=outbox.referral_id))
        outbox = Outbox.objects.select_for_update().get(pk=outbox.pk)
        now = timezone.now()
        attempt.finished_at, attempt.outcome, attempt.detail = now, outcome, detail
        attempt.save(update_fields=["finished_at", "outcome", "detail"])
        if outbox.state != Outbox.State.PENDING or outbox.lease_until != lease:
            # The lease ran out while sending and another worker took the row over; what
            # it records counts (the agency keeps a package delivered twice once).
            logger.warning("referral %s: lease lost during try %d", referral.reference,
                           attempt.number)
            return "lease lost"
        outbox.lease_until, outbox.last_error = None, detail
        logger.info("referral %s: try %d %s (%s)", referral.reference, attempt.number,
                    outcome, detail)
        if outcome == DeliveryAttempt.Outcome.DELIVERED:
            _delivered(outbox, referral, now)
            return "delivered"
        if (outcome == DeliveryAttempt.Outcome.PERMANENT
                or outbox.attempts >= settings.REFERRAL_MAX_ATTEMPTS):
            _dead(outbox, referral, detail, permanent=outcome == DeliveryAttempt.Outcome.PERMANENT)
            return "dead"
        outbox.next_attempt_at = now + retry_delay(outbox.attempts)
        outbox.save(update_fields=["lease_until", "last_error", "next_attempt_at"])
        return "retry"


def _record_other_outcome(outbox: Outbox, lease, attempt: DeliveryAttempt, outcome: str,
                          detail: str) -> str:
    """The same bookkeeping for what another app sent through the outbox (routing.outbox);
    that app hears of delivery or a dead letter through its registered subject."""
    subject = subject_for(outbox)
    with transaction.atomic():
        outbox = Outbox.objects.select_for_update().select_related("agency").get(pk=outbox.pk)
        now = timezone.now()
        attempt.finished_at, attempt.outcome, attempt.detail = now, outcome, detail
        attempt.save(update_fields=["finished_at", "outcome", "detail"])
        if outbox.state != Outbox.State.PENDING or outbox.lease_until != lease:
            logger.warning("%s %s: lease lost during try %d", outbox.subject_kind,
                           outbox.subject_reference, attempt.number)
            return "lease lost"
        outbox.lease_until, outbox.last_error = None, detail
        logger.info("%s %s: try %d %s (%s)", outbox.subject_kind, outbox.subject_reference,
                    attempt.number, outcome, detail)
        if outcome == DeliveryAttempt.Outcome.DELIVERED:
            outbox.state, outbox.delivered_at, outbox.last_error = (
                Outbox.State.DELIVERED, now, "")
            outbox.save(update_fields=["state", "delivered_at", "lease_until", "last_error"])
            if subject:
                subject.delivered(outbox, now)
            return "delivered"
        permanent = outcome == DeliveryAttempt.Outcome.PERMANENT
        if permanent or outbox.attempts >= settings.REFERRAL_MAX_ATTEMPTS:
            outbox.state = Outbox.State.DEAD
            outbox.save(update_fields=["state", "lease_until", "last_error"])
            if subject:
                subject.dead(outbox, detail, permanent)
            return "dead"
        outbox.next_attempt_at = now + retry_delay(outbox.attempts)
        outbox.save(update_fields=["lease_until", "last_error", "next_attempt_at"])
        return "retry"


def _delivered(outbox: Outbox, referral: Referral, now):
    outbox.state, outbox.delivered_at, outbox.last_error = Outbox.State.DELIVERED, now, ""
    outbox.save(update_fields=["state", "delivered_at", "lease_until", "last_error"])
    if referral.state in (ReferralState.APPROVED, ReferralState.FAILED):
        mark_delivered(referral, at=now)
    elif referral.delivered_at is None:
        # The agency answered before we heard back from it (a worker died after sending):
        # its answer already moved the referral on, so only the time is filled in.
        referral.delivered_at = now
        referral.save(update_fields=["delivered_at"])
    record(actor=SYSTEM, action="referral.delivered", target=referral, unit=referral.unit,
           details={"referral": referral.reference, "attempts": outbox.attempts,
                    "delivery": outbox.delivery, "package_sha256": outbox.package_sha256})
    notify_about(Notice.REFERRAL_DELIVERED, referral.complaint, referral)


def _dead(outbox: Outbox, referral: Referral, detail: str, *, permanent: bool):
    outbox.state = Outbox.State.DEAD
    outbox.save(update_fields=["state", "lease_until", "last_error"])
    if referral.state == ReferralState.APPROVED:
        referral.state = ReferralState.FAILED
        referral.save(update_fields=["state"])
    record(actor=SYSTEM, action="referral.failed", target=referral, unit=referral.unit,
           details={"referral": referral.reference, "attempts": outbox.attempts,
                    "delivery": outbox.delivery, "error": detail, "permanent": permanent})
    # The heads are told through notify, which emails them by default: written in this
    # transaction, so the alert exists exactly when the dead letter does, and is queued
    # once however often this try is recorded.
    notify_about(Notice.REFERRAL_FAILED, referral.complaint, referral)


def dead_letter_retry(*, referral: Referral, by) -> Referral:
    """The head sends a referral whose delivery was given up once more: its outbox row is
    due again with a fresh count of tries, under the same idempotency key."""
    from routing.tasks import queue_delivery

    with transaction.atomic():
        referral = locked_referral(referral, by)
        require_role(by, referral.complaint, (Role.HEAD,),
                      "only the head sends a failed referral again")
        outbox = Outbox.objects.select_for_update().filter(referral=referral).first()
        if (referral.state != ReferralState.FAILED or outbox is None
                or outbox.state != Outbox.State.DEAD):
            raise ValidationError(_("Only a referral whose delivery failed can be sent again."),
                                  code="state")
        outbox.state, outbox.attempts = Outbox.State.PENDING, 0
        outbox.next_attempt_at, outbox.lease_until = timezone.now(), None
        outbox.save(update_fields=["state", "attempts", "next_attempt_at", "lease_until"])
        referral.state = ReferralState.APPROVED
        referral.save(update_fields=["state"])
        record(actor=by, action="referral.retried", target=referral, unit=referral.unit,
               details={"referral": referral.reference, "outbox": str(outbox.key),
                        "last_error": outbox.last_error})
        outbox_id = outbox.pk
        transaction.on_commit(lambda: queue_delivery(outbox_id))
    return referral
