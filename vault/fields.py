"""Encrypted model fields: plaintext in Python, only ciphertext in the database.

    class Complaint(SealedRecord):
        body = EncryptedTextField()
        details = EncryptedJSONField(null=True)

    complaint = Complaint(data_key=DataKey.objects.create_fresh())
    complaint.body = "Бичиг хэргийн ажилтан мөнгө нэхсэн"   # plaintext, in memory only
    complaint.save()                                          # sealed in pre_save
    complaint.body                  # Sealed: shows "•••" in str(), repr() and templates
    complaint.body.reveal()         # the text; the caller audits this reading

A model that shares its owner's data key (a message of a complaint) declares its own `uid`
and `data_key` and uses the same fields. Each value is sealed with the row's data key and
associated data naming the model, field, row and data key, so a ciphertext copied to another
row or field fails to decrypt instead of showing someone else's words.

The fields cannot be filtered on (only `__isnull`) or set through `QuerySet.update()`:
neither can seal a value for its row. Search uses blind indexes (vault.blind).
"""

import base64
import json
import uuid

from django.core import checks
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from vault import crypto
from vault.errors import DecryptionError, VaultError
from vault.models import DataKey

PLACEHOLDER = "•••"


class Token(bytes):
    """Ciphertext as stored, told apart from plaintext that was assigned."""

    __slots__ = ()


class _Pending:
    """Plaintext assigned to a field and not yet sealed."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        # A pickled model instance may end up in a task payload or a cache.
        raise TypeError("unsaved plaintext of an encrypted field is never pickled")


class Sealed:
    """An encrypted field's value. `reveal()` decrypts; nothing else shows the content.

    str(), repr() and templates show a fixed placeholder. Templates cannot call `reveal`,
    so every reading happens in Python code, where it can be audited.
    """

    __slots__ = ("_instance", "_field", "_state")

    def __init__(self, instance, field, state):
        self._instance = instance
        self._field = field
        self._state = state

    def reveal(self):
        """The plaintext: str for a text field, the JSON value for a JSON field.

        Raises ShreddedError, KeyringError or DecryptionError (all VaultError); never
        returns ciphertext.
        """
        if type(self._state) is _Pending:
            return self._state.value
        return self._field.open(self._instance, self._state)

    # Django templates refuse to call what "alters data"; here it keeps decryption out of them.
    reveal.alters_data = True

    def token(self) -> Token:
        """The ciphertext, sealing pending plaintext for its row first."""
        if type(self._state) is _Pending:
            return self._field.seal_for(self._instance, self._state.value)
        return self._state

    def __str__(self):
        return PLACEHOLDER

    def __repr__(self):
        return f"<Sealed {PLACEHOLDER}>"

    def __html__(self):
        return PLACEHOLDER

    def __reduce__(self):
        raise TypeError("sealed values are not pickled; pickle the record's uid instead")


class SealedAttribute(DeferredAttribute):
    """Hands out `Sealed` values and takes plaintext, sealed values from the same row and
    field, or ciphertext coming from the database."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        state = super().__get__(instance, cls)
        return None if state is None else Sealed(instance, self.field, state)

    def __set__(self, instance, value):
        # Text is what every save assigns; it needs no look at the row.
        instance.__dict__[self.field.attname] = (
            _Pending(value) if type(value) is str else self.field.accept(instance, value)
        )


class _EncryptedField(models.Field):
    descriptor_class = SealedAttribute

    def __init__(self, *args, sealed_as: str | None = None, **kwargs):
        # A model form would show the placeholder and save it back; forms handle plaintext
        # explicitly instead.
        kwargs.setdefault("editable", False)
        # The model label ("routing.agency") in each value's associated data. It is the
        # model's own label unless the model moved to another app: its rows were sealed
        # under the old label, and stay readable only if the field keeps naming it.
        self.sealed_as = sealed_as
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.pop("editable", True):
            kwargs["editable"] = True
        if self.sealed_as:
            kwargs["sealed_as"] = self.sealed_as
        return name, path, args, kwargs

    def get_internal_type(self):
        return "BinaryField"

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self._label = f"{cls._meta.label_lower}.{name}"
        self._aad_prefix = f"shugel:v1|{self.sealed_as or cls._meta.label_lower}|{name}|"
        # Where the row keeps this field's last associated data (see _row_aad).
        self._aad_slot = f"_vault_aad_{name}"

    # -- plaintext <-> bytes, per kind -------------------------------------------------------

    def accept_plaintext(self, value):
        return _Pending(value)

    def encode(self, value) -> bytes:
        raise NotImplementedError

    def decode(self, plaintext: bytes):
        raise NotImplementedError

    # -- sealing ----------------------------------------------------------------------------

    def _where(self, instance) -> str:
        return f"{self._label} of row {instance.uid}"

    def _data_key(self, instance) -> DataKey:
        # Straight from the related-object cache when it is there (Django empties it when
        # data_key_id changes): sealing sits on every save's path.
        data_key = instance._state.fields_cache.get("data_key")
        if data_key is None:
            try:
                data_key = instance.data_key
            except ObjectDoesNotExist:
                data_key = None
        if data_key is None:
            raise VaultError(f"{self._where(instance)} has no data key to seal with")
        return data_key

    def aad(self, instance, data_key: DataKey) -> bytes:
        return f"{self._aad_prefix}{instance.uid.hex}|{data_key.uid_hex}".encode()

    def _row_aad(self, instance, data_key: DataKey) -> bytes:
        # Formatting the row's uid cost as much as the nonce; a row saved again reuses it.
        # Kept with the uid object and the data key's uid text it was made from: another
        # object in either place (a new uid, another data key) makes it again.
        uid, key_uid = instance.uid, data_key.uid_hex
        kept = instance.__dict__.get(self._aad_slot)
        if kept is not None and kept[0] is uid and kept[1] is key_uid:
            return kept[2]
        aad = self.aad(instance, data_key)
        instance.__dict__[self._aad_slot] = (uid, key_uid, aad)
        return aad

    def seal_for(self, instance, value) -> Token:
        data_key = instance._state.fields_cache.get("data_key") or self._data_key(instance)
        key = data_key._key or data_key.unwrap()
        return Token(crypto.seal(key, self.encode(value), self._row_aad(instance, data_key)))

    def open(self, instance, token: bytes):
        data_key = self._data_key(instance)
        key = data_key.unwrap()
        try:
            plaintext = crypto.unseal(key, token, self.aad(instance, data_key))
            return self.decode(plaintext)
        except (DecryptionError, ValueError):
            raise DecryptionError(f"{self._where(instance)} does not decrypt") from None

    def accept(self, instance, value):
        if type(value) is str:
            return _Pending(value)
        if value is None or type(value) is Token:
            return value
        if isinstance(value, Sealed):
            if type(value._state) is _Pending:
                return _Pending(value._state.value)
            source = value._instance
            same_row = source is instance or (
                value._field is self
                and source.uid == instance.uid
                and source.data_key_id == instance.data_key_id
            )
            if not same_row:
                raise VaultError(
                    f"a sealed value cannot move to {self._where(instance)}; "
                    "assign its reveal() to copy the content"
                )
            return value._state
        return self.accept_plaintext(value)

    def pre_save(self, model_instance, add):
        state = model_instance.__dict__.get(self.attname)
        if type(state) is _Pending:
            # The plaintext leaves the instance once sealed.
            state = model_instance.__dict__[self.attname] = self.seal_for(
                model_instance, state.value
            )
        return state

    # -- the database side -------------------------------------------------------------------

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, Sealed):
            value = value.token()
        if type(value) is not Token:
            raise VaultError(
                f"{self._label} takes plaintext only through a "
                "model instance's save(); it cannot be sealed in a query"
            )
        return connection.Database.Binary(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else Token(value)

    def to_python(self, value):
        # Deserialisation (loaddata) hands over base64 ciphertext, as value_to_string wrote it.
        if isinstance(value, str):
            return Token(base64.b64decode(value.encode("ascii"), validate=True))
        return value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return None if value is None else base64.b64encode(value.token()).decode("ascii")

    def get_lookup(self, lookup_name):
        # Ciphertexts differ on every save; any comparison but isnull would silently miss.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, name):
        return None

    # -- checks -----------------------------------------------------------------------------

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_owner(), *self._check_not_searchable()]

    def _check_owner(self):
        fields = {f.name: f for f in self.model._meta.get_fields()}
        uid, data_key = fields.get("uid"), fields.get("data_key")
        errors = []
        if not isinstance(uid, models.UUIDField) or not uid.unique:
            errors.append(checks.Error(
                "A model with encrypted fields needs a unique UUIDField named 'uid'.",
                hint="Inherit vault.fields.SealedRecord, or declare uid as it does.",
                obj=self, id="vault.E001",
            ))
        if not isinstance(data_key, models.ForeignKey) or data_key.related_model is not DataKey:
            errors.append(checks.Error(
                "A model with encrypted fields needs a ForeignKey to vault.DataKey named "
                "'data_key'.",
                hint="Inherit vault.fields.SealedRecord, or share its owner's data key.",
                obj=self, id="vault.E002",
            ))
        return errors

    def _check_not_searchable(self):
        if self.unique or self.db_index or self.primary_key:
            return [checks.Error(
                "An encrypted field cannot be unique, indexed or a primary key.",
                hint="Search with a blind index (vault.blind.BlindIndexField).",
                obj=self, id="vault.E003",
            )]
        return []


class EncryptedTextField(_EncryptedField):
    description = "Text, encrypted with the row's data key"

    def accept_plaintext(self, value):
        if not isinstance(value, str):
            raise TypeError(f"an encrypted text field takes str, not {type(value).__name__}")
        return _Pending(value)

    # UTF-8 both ways, called straight on the str and bytes, with no Python frame between.
    encode = staticmethod(str.encode)
    decode = staticmethod(bytes.decode)


class EncryptedJSONField(_EncryptedField):
    description = "A JSON value, encrypted with the row's data key"
    empty_strings_allowed = False

    def encode(self, value) -> bytes:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode()

    def decode(self, plaintext: bytes):
        return json.loads(plaintext)


class SealedRecord(models.Model):
    """A record that owns a data key (a complaint). Its dependants share the key by
    declaring their own `uid` and `data_key` and assigning the owner's data key."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    data_key = models.ForeignKey(
        DataKey, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_shredded(self) -> bool:
        return self.data_key.is_shredded

    def shred(self) -> None:
        """Destroy this record's data key: its content, and that of everything sharing the
        key, becomes unrecoverable; the rows and their plain metadata stay."""
        self.data_key.shred()
