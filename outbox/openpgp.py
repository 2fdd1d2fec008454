"""OpenPGP for agencies that take packages by email: whether a key will do (Agency.clean),
and encrypting a package to it (outbox.senders.EmailSender).

Each call imports the key into a keyring made for that call and removed after it, so no
agency's key outlives its use and nothing but the key is ever written there.
"""

import logging
import tempfile

import gnupg

# python-gnupg logs what gpg writes back (for us, ciphertext) at DEBUG; keep it quiet anyway.
logging.getLogger("gnupg").setLevel(logging.WARNING)

GPG_BINARY = "/usr/bin/gpg"


class OpenPGPError(Exception):
    """The key or the encryption failed; the message is safe to keep (no data, no key)."""


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
    """`data` encrypted to `public_key`, ASCII-armoured; the data goes through a pipe."""
    with tempfile.TemporaryDirectory(prefix="shugel-gpg-", ignore_cleanup_errors=True) as home:
        gpg = _gpg(home)
        fingerprint = _import_one_key(gpg, public_key)
        if fingerprint is None:
            raise OpenPGPError("OpenPGP key unusable")
        result = gpg.encrypt(data, fingerprint, armor=True, always_trust=True)
        if not result.ok:
            raise OpenPGPError(f"OpenPGP: {result.status}"[:200])
        return str(result)
