"""The authenticator being set up at a person's first sign-in, known without writing it.

The set-up page shows a key and its QR code; a GET must not create anything, so the key of
a device not yet saved is derived, not stored: an HMAC under SECRET_KEY of the person, their
password hash (random salt; changes with the password) and their last sign-in (changes with
every sign-in). The same page shows the same key until the person signs in again, and the
device is saved only by the POST that confirms it (or by a wrong code, which must be
counted for throttling). Deriving is no weaker than storing: a saved device's key lies in the
database in the clear, and this one needs SECRET_KEY besides the database.
"""

from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "authenticator"
KEY_BYTES = 20  # django-otp's default TOTP key length


def pending_key(user) -> str:
    """The hex key the person's authenticator gets, stable until they sign in again."""
    seen = user.last_login.isoformat() if user.last_login else ""
    digest = salted_hmac("org.two_factor.pending_key", f"{user.pk}|{user.password}|{seen}",
                         algorithm="sha256").digest()
    return digest[:KEY_BYTES].hex()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up: one saved earlier (by a wrong code, or by a
    version of Shugel that saved on GET), else a new one, not saved."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice(user=user, name=DEVICE_NAME, confirmed=False,
                            key=pending_key(user))
    return device
