"""vault.files.atomic_with_files: the one way a workflow owns the encrypted files it writes."""

import io

import pytest

from vault.files import _path, atomic_with_files, save_encrypted
from vault.models import DataKey

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def _save(data_key, text=b"secret"):
    return save_encrypted(io.BytesIO(text), data_key=data_key, context="test|files").name


def test_the_files_of_a_failed_block_are_deleted_and_those_of_a_committed_one_kept():
    key = DataKey.objects.create_fresh()
    with atomic_with_files():
        kept = _save(key)
    with pytest.raises(Refused), atomic_with_files():
        lost = _save(key)
        assert _path(lost).exists()
        raise Refused
    assert _path(kept).exists() and not _path(lost).exists()


def test_a_nested_block_that_succeeded_is_undone_with_the_block_around_it():
    key = DataKey.objects.create_fresh()
    with pytest.raises(Refused), atomic_with_files():
        with atomic_with_files():
            inner = _save(key)
        outer = _save(key)
        raise Refused
    assert not _path(inner).exists() and not _path(outer).exists()


def test_a_nested_block_that_failed_takes_only_its_own_files():
    key = DataKey.objects.create_fresh()
    with atomic_with_files():
        outer = _save(key)
        with pytest.raises(Refused), atomic_with_files():
            inner = _save(key)
            raise Refused
    assert _path(outer).exists() and not _path(inner).exists()


def test_it_decorates_a_service_and_rolls_its_rows_back_too():
    @atomic_with_files()
    def workflow(fail):
        DataKey.objects.create_fresh()
        name = _save(DataKey.objects.first())
        if fail:
            raise Refused(name)
        return name

    before = DataKey.objects.count()
    with pytest.raises(Refused) as refused:
        workflow(True)
    assert DataKey.objects.count() == before and not _path(refused.value.args[0]).exists()
    assert _path(workflow(False)).exists()


def test_outside_any_block_nothing_is_tracked():
    key = DataKey.objects.create_fresh()
    assert _path(_save(key)).exists()
