"""Records built once for a whole test module, as Django's TestCase.setUpTestData builds them
once for a class.

A module-scoped fixture builds them inside `module_transaction` (tests/conftest.py), a
transaction open for the module; every test of the module then runs in a savepoint inside it
and is rolled back to the records as built. What the builder returned is deep-copied for
each test, so that a test changing an instance in memory does not change it for the next.
Files the builder wrote stay in folders of the module's own: each test reads the same
uploads, and gets a fresh copy of the signed checkpoints (a test that drafts a report adds
its own, which the next test's chain does not descend from).

Use it where building is the expensive part and every test of the module starts from the
same records; a test that needs an empty database belongs in another module.
"""

import copy
import shutil
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import time_machine
from django.test import override_settings


@dataclass
class Built:
    value: object
    media: Path
    data: Path

    def for_a_test(self, settings):
        """The records as built, for one test; `settings` is pytest-django's fixture."""
        settings.MEDIA_ROOT = self.media
        shutil.copytree(self.data, settings.DATA_DIR, dirs_exist_ok=True)
        return copy.deepcopy(self.value)


@contextmanager
def building(django_db_blocker, tmp_path_factory, *, at=None):
    """Inside, a module-scoped fixture may use the database, writes its files to folders
    of the module's own, and (with `at`) travels to that time; it then hands what it made
    to `kept(value)`, which returns the `Built` to give its tests."""
    media, data = tmp_path_factory.mktemp("module-media"), tmp_path_factory.mktemp("module-data")
    with ExitStack() as stack:
        stack.enter_context(django_db_blocker.unblock())
        stack.enter_context(override_settings(MEDIA_ROOT=media, DATA_DIR=data))
        if at is not None:
            stack.enter_context(time_machine.travel(at, tick=True))
        yield lambda value: Built(value, media, data)
