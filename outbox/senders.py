"""One sender per way an agency takes packages: its HTTPS API, or email encrypted with
OpenPGP. Letters have none: staff post them and say so (State.MANUAL).

A sender raises DeliveryError for a try that did not deliver. What is kept of a try is a
status code or the kind of error: never what the agency said, and never what was sent.
"""

import hashlib
import http.client
import smtplib
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from outbox import signing
from outbox.addresses import api_url_allowed
from outbox.models import Agency, Outbox
from outbox.openpgp import OpenPGPError, openpgp_encrypt
from outbox.services import package_context
from outbox.subjects import subject_for
from vault.files import open_encrypted


class DeliveryError(Exception):
    """A try that did not deliver. `detail` is a status code or an error's class name, safe
    to keep; `permanent` means trying again will not help (the agency refused the package)."""

    def __init__(self, detail: str, *, permanent: bool = False):
        super().__init__(detail)
        self.detail = detail[:200]
        self.permanent = permanent


def read_package(outbox: Outbox) -> bytes:
    data = b"".join(open_encrypted(outbox.package_name, data_key=outbox.data_key,
                                   context=package_context(outbox.subject_reference)))
    if hashlib.sha256(data).hexdigest() != outbox.package_sha256:
        raise DeliveryError("package hash mismatch", permanent=True)
    return data


class ApiSender:
    """POSTs the package to the agency's endpoint, signed (outbox.signing). Redirects are
    not followed: the address is the whole endpoint, and a redirect would drop the body."""

    RETRY_STATUSES = {408, 425, 429}

    def send(self, outbox: Outbox, data: bytes) -> str:
        agency = outbox.agency
        if not api_url_allowed(agency.api_url):
            raise DeliveryError("API address not allowed", permanent=True)
        secret = agency.api_secret.reveal() if agency.api_secret is not None else ""
        if not secret:
            raise DeliveryError("no API secret", permanent=True)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Shugel",
            "Idempotency-Key": str(outbox.key),
            **signing.sign(secret, data),
        }
        status = self._post(agency.api_url, data, headers)
        if 200 <= status < 300:
            return f"HTTP {status}"
        if status in self.RETRY_STATUSES or status >= 500:
            raise DeliveryError(f"HTTP {status}")
        raise DeliveryError(f"HTTP {status}", permanent=True)

    def _post(self, url: str, data: bytes, headers: dict) -> int:
        """The response's status; its body is drained, never kept."""
        parts = urlsplit(url)
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
            response.read(64 * 1024)
            return response.status
        except TimeoutError:
            raise DeliveryError("timeout")
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryError(type(error).__name__)
        finally:
            connection.close()


class EmailSender:
    """Mails the package encrypted with OpenPGP to the agency's key. The message itself says
    only which document it is; its Message-ID comes from the outbox key, so a message sent
    twice is recognisably the same message."""

    def send(self, outbox: Outbox, data: bytes) -> str:
        agency = outbox.agency
        if not agency.email:
            raise DeliveryError("no email address", permanent=True)
        try:
            armoured = openpgp_encrypt(data, agency.openpgp_key)
        except OpenPGPError as error:
            raise DeliveryError(str(error), permanent=True)
        reference = outbox.subject_reference
        subject = subject_for(outbox)
        with translation.override(settings.LANGUAGE_CODE):
            title = subject.email_subject(outbox) if subject else reference
            body = _(
                "%(subject)s is attached as an encrypted package (OpenPGP).\n"
            ) % {"subject": title}
        domain = urlsplit(settings.SITE_URL).hostname or "shugel.invalid"
        message = EmailMessage(
            title, body, settings.DEFAULT_FROM_EMAIL, [agency.email],
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
