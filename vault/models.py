"""Data keys: one random AES-256 key per record owner (a complaint), stored wrapped.

A data key is kept only in wrapped form: sealed under the keyring's active "wrap" key, with
associated data naming the data key and the wrap version. Rotation re-wraps data keys and
never touches the records they protect; shredding erases the wrapped key and with it every
ciphertext the key protected.
"""

import secrets
import uuid
from functools import cached_property

from django.db import models
from django.utils import timezone

from vault import crypto
from vault.errors import DecryptionError, ShreddedError
from vault.keyring import key_for, keyring, refresh_keyring


def wrap_aad(uid: uuid.UUID, wrap_version: int) -> bytes:
    return f"shugel:v1|vault.datakey|{uid.hex}|wrap:{wrap_version}".encode()


class DataKeyQuerySet(models.QuerySet):
    def live(self):
        return self.filter(shredded_at__isnull=True)

    def shredded(self):
        return self.filter(shredded_at__isnull=False)

    def wrapped_by(self, version: int):
        """Live data keys that still need wrap key `version` to be read."""
        return self.live().filter(wrap_version=version)


class DataKeyManager(models.Manager.from_queryset(DataKeyQuerySet)):
    def create_fresh(self) -> "DataKey":
        """A new random data key, saved wrapped under the active wrap key."""
        data_key = DataKey.fresh()
        data_key.save(force_insert=True)
        return data_key


class DataKey(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The data key sealed under wrap key `wrap_version`; empty once shredded.
    wrapped = models.BinaryField()
    wrap_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    shredded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DataKeyManager()

    # The unwrapped key, kept only on this Python object (one request or task) once read.
    _key: bytes | None = None

    class Meta:
        indexes = [
            # Rotation walks one wrap version at a time in id order.
            models.Index(fields=["wrap_version", "id"], name="vault_datakey_rotation"),
        ]

    def __str__(self):
        state = "shredded" if self.is_shredded else f"wrap v{self.wrap_version}"
        return f"data key {self.uid} ({state})"

    def __getstate__(self):
        # The unwrapped key stays on this object: a pickled copy (a cache entry, a record
        # pickled with its related objects) carries only the wrapped key and unwraps again.
        state = super().__getstate__()
        state.pop("_key", None)
        return state

    @classmethod
    def fresh(cls) -> "DataKey":
        """An unsaved data key with new random key material, wrapped under the active key."""
        refresh_keyring()
        version = keyring.active_version("wrap")
        key = secrets.token_bytes(crypto.KEY_BYTES)
        data_key = cls(uid=uuid.uuid4(), wrap_version=version)
        wrap_key = key_for("wrap", version)
        data_key.wrapped = crypto.seal(wrap_key, key, wrap_aad(data_key.uid, version))
        data_key._key = key
        return data_key

    @cached_property
    def uid_hex(self) -> str:
        return self.uid.hex

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None

    def unwrap(self) -> bytes:
        """The raw data key.

        Raises ShreddedError when it was destroyed, KeyringError when the wrap key version is
        missing from the keyring, and DecryptionError when the wrapped key was altered.
        """
        if self.is_shredded or not self.wrapped:
            raise ShreddedError(f"data key {self.uid} was shredded")
        if self._key is None:
            wrap_key = key_for("wrap", self.wrap_version)
            try:
                self._key = crypto.unseal(
                    wrap_key, bytes(self.wrapped), wrap_aad(self.uid, self.wrap_version)
                )
            except DecryptionError:
                raise DecryptionError(f"data key {self.uid} does not unwrap") from None
        return self._key

    def shred(self) -> None:
        """Destroy the key for good; everything sealed with it becomes unreadable.

        The row stays, so what the key belonged to (and when it was shredded) stays known.
        Copies of the wrapped key in backups, the SQLite WAL or PostgreSQL's dead tuples stay
        readable until the wrap key version that sealed it is rotated out and removed.
        """
        now = timezone.now()
        DataKey.objects.filter(pk=self.pk, shredded_at__isnull=True).update(
            wrapped=b"", shredded_at=now
        )
        self.refresh_from_db(fields=["wrapped", "shredded_at"])
        self._key = None
