"""What the vault raises. Every failure to read protected content is a `VaultError`.

Each error has a message a person may see (translated) and an optional technical detail in
English for logs and operators. Neither ever holds plaintext, ciphertext or key material.
"""

from django.utils.translation import gettext_lazy as _


class VaultError(Exception):
    """Protected content could not be sealed or read. Callers fail closed on it."""

    message = _("Protected content is not available.")

    def __init__(self, detail: str = ""):
        super().__init__(detail)
        self.detail = detail

    @property
    def user_message(self) -> str:
        """For pages: the translated message, without technical detail."""
        return str(self.message)

    def __str__(self) -> str:
        return f"{self.message} ({self.detail})" if self.detail else str(self.message)


class DecryptionError(VaultError):
    """The ciphertext does not open with this key and context: damaged, moved to another
    row or field, or sealed under another key."""

    message = _("Protected content cannot be read: it is damaged or does not belong here.")


class ShreddedError(VaultError):
    """The record's data key was destroyed on purpose; its content is gone for good."""

    message = _("This content was destroyed on purpose and cannot be recovered.")


class KeyringError(VaultError):
    """The keyring is missing, unreadable, or lacks a key that is needed. Fails closed.

    Also importable as vault.keyring.KeyringError."""

    message = _("A key needed for protected content is missing.")
