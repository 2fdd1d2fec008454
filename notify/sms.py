"""Text messages: one small interface, one class per gateway, chosen by settings.SMS_BACKEND.

What a text says is decided by notify.delivery (the kind of thing that happened and a link,
never what a complaint says); a backend only carries it to a number. Development and tests
use ConsoleSMS, which writes a line to the log instead of sending anything.

Adding a real gateway (a Mongolian operator's HTTP API, say):

1. Write a subclass of SMSBackend in its own module, e.g. ``notify/sms_gateway.py``, whose
   ``send(number, text)`` makes one HTTPS request with a timeout and returns on success.
   Read its address and key from settings (add them to the "mail" block of
   config/settings.py, read from the environment), never from code.
2. Raise SMSError for a failed try: ``permanent=True`` when trying again cannot help (the
   gateway refused the number or the account), otherwise the next run tries again. Put a
   status code or an error's class name in the message, never the number or the text.
3. Set ``SHUGEL_SMS_BACKEND=notify.sms_gateway.YourGateway`` in the environment.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """A try that did not send. `permanent` means trying again will not help."""

    def __init__(self, detail: str, *, permanent: bool = False):
        super().__init__(detail)
        self.detail = detail[:200]
        self.permanent = permanent


class SMSBackend:
    """Sends one text message. `number` is in E.164 (+97699112233)."""

    def send(self, number: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSMS(SMSBackend):
    """Writes the message to the log at INFO instead of sending it. Only the last four
    digits of the number are written, so the log does not collect staff's phone numbers."""

    def send(self, number: str, text: str) -> None:
        logger.info("SMS to %s: %s", masked(number), text)


def masked(number: str) -> str:
    return "…" + number[-4:]


def backend() -> SMSBackend:
    return import_string(settings.SMS_BACKEND)()
