"""Records built once for a whole test module, as Django's TestCase.setUpTestData builds them
once for a class.

`shared_records` gives a module its fixtures. The module-scoped one builds the records inside
`module_transaction` (tests/conftest.py), a transaction open for the module; every test of the
module then runs in a savepoint inside it and is rolled back to the records as built. What
was built is deep-copied for each test, so that a test changing an instance in memory does not
change it for the next. Files the builder wrote stay in folders of the module's own: each test
reads the same uploads, and gets a fresh copy of the signed checkpoints (a test that drafts a
report adds its own, which the next test's chain does not descend from).

Use it where building is the expensive part and every test of the module starts from the
same records; a test that needs an empty database belongs in another module.

    def _make_mixed(units, personas):
        return {"mixed": ...}

    _records, _built, units, personas, mixed = shared_records(_make_mixed, keys=["mixed"])
    pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_records")]

Naming `_records` in the module's usefixtures is what makes pytest build it before any
test's own transaction opens (a wider scope is set up first), as it must be.
"""

import copy
import shutil
from contextlib import ExitStack

import pytest
import time_machine
from django.test import override_settings

from tests.conftest import make_personas, make_units


def shared_records(build, *, keys: list[str], at=None):
    """The fixtures of a module whose tests share records: `_records` (built once: units,
    personas, and the dict `build(units, personas)` returns, at time `at` if given),
    `_built` (one test's copy), then `units`, `personas` and one fixture per name in
    `keys`, each the test's copy of that record."""

    @pytest.fixture(scope="module", name="_records")
    def records(module_transaction, django_db_blocker, tmp_path_factory):
        media = tmp_path_factory.mktemp("module-media")
        data = tmp_path_factory.mktemp("module-data")
        with ExitStack() as stack:
            stack.enter_context(django_db_blocker.unblock())
            stack.enter_context(override_settings(MEDIA_ROOT=media, DATA_DIR=data))
            if at is not None:
                stack.enter_context(time_machine.travel(at, tick=True))
            units = make_units()
            personas = make_personas(units)
            made = {"units": units, "personas": personas, **build(units, personas)}
        return made, media, data

    @pytest.fixture(name="_built")
    def built(_records, db, settings):
        made, media, data = _records
        settings.MEDIA_ROOT = media
        shutil.copytree(data, settings.DATA_DIR, dirs_exist_ok=True)
        return copy.deepcopy(made)

    def one(key):
        @pytest.fixture(name=key)
        def fixture(_built):
            return _built[key]

        fixture.__doc__ = f"This test's copy of the module's shared {key!r}."
        return fixture

    return (records, built, *(one(key) for key in ["units", "personas", *keys]))
