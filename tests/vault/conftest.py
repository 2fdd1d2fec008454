"""Each vault test gets a keyring and a media folder of its own, so rotating or removing a
key here never changes what other tests see."""

import pytest
from django.db import connection

from tests.vault.sealed_app.models import Complaint
from vault.keyring import Keyring, reload_keyring
from vault.models import DataKey


@pytest.fixture(autouse=True)
def keyring_file(settings, tmp_path):
    path = tmp_path / "keys" / "keyring.json"
    Keyring.generate().save(path)
    settings.KEYRING_PATH = path
    settings.MEDIA_ROOT = tmp_path / "media"
    reload_keyring()
    yield path
    reload_keyring()


@pytest.fixture
def make_complaint(db):
    """A saved complaint with a data key of its own; keyword arguments set its fields."""

    def make(**fields):
        fields.setdefault("reference", "DG-2026-0001")
        fields.setdefault("body", "Үйлчилгээний танхимд хээл хахууль нэхсэн.")
        complaint = Complaint(data_key=DataKey.objects.create_fresh(), **fields)
        complaint.save()
        return complaint

    return make


def reload(instance):
    """The row as a fresh instance from the database, sharing nothing with `instance`."""
    return type(instance).objects.get(pk=instance.pk)


def stored(instance, column):
    """The raw bytes in the database, read past the ORM."""
    table = connection.ops.quote_name(instance._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [instance.pk])
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


def overwrite(instance, column, value):
    table = connection.ops.quote_name(instance._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",
            [None if value is None else connection.Database.Binary(value), instance.pk],
        )
