"""Fixtures every test may use: a keyring of its own, units, and one persona per role.

Personas: clerk, officer, head, auditor, admin of the demo department (DG); `outsider`, an
officer of another department (DU); `national_head`, head of the parent authority.
"""

import gc
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.middleware import RENEWED
from org.models import Membership, Role, Unit
from vault.keyring import Keyring, reload_keyring

PASSWORD = "correct horse battery staple"


# The longest modules, first in their pass so that the other processes fill in around them.
# pytest-xdist hands tests out in the order they were collected; last in that order, as they
# were by name, the quick pass's (1 to 5 s a test, where most take a few hundredths) kept
# one process busy 25 to 50 s after the other two had run out of tests, and the slow pass's
# (15 to 40 s) 8 s. The quick pass's live-update tests are left out: they empty the
# database, so they come last anyway, handed out a few at a time (put first among those,
# they went to one process together).
LONGEST_FIRST = frozenset({
    "tests/security/test_authz_matrix.py", "tests/security/test_fuzz_forms.py",
    "tests/security/test_mongolian_pages.py", "tests/security/test_templates_safe.py",
    "tests/reporting/test_figures.py", "tests/core/test_rendering.py",
    "tests/browser/test_hall_screen.py", "tests/core/test_migrations.py",
    "tests/ops/test_restore_drill.py", "tests/ops/test_restore_staging.py",
    "tests/browser/test_live_queue.py", "tests/browser/test_journeys.py",
})


def empties_the_database(item) -> bool:
    """Whether the test runs outside one transaction, and so ends by emptying the database."""
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(item.fixturenames)) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The longest modules first, then the rest in their order; pytest-django then puts the
    tests that use the database in one transaction before those that empty it, and those
    before the tests without one, keeping this order within each (its sort is stable).
    Then the tests that empty it go last: handed out in order (PostgreSQL's `make test`),
    they came in one batch of some fifty, 45 s of live-update and backup tests that one
    process ran while the others took the tests without a database; last, they are handed
    out a few at a time.

    A test marked own_sqlite starts an installation of its own on a SQLite file and hands
    it neither DATABASE_URL nor REDIS_URL: on PostgreSQL and Redis it would only repeat,
    step for step, what the SQLite run of the suite does. CI runs the suite on both."""
    from django.conf import settings

    items.sort(key=lambda item: item.nodeid.partition("::")[0] not in LONGEST_FIRST)
    outcome = yield
    items.sort(key=empties_the_database)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return outcome
    skip = pytest.mark.skip(reason="runs an installation of its own on SQLite, whatever the "
                                   "suite's database: the SQLite run of the suite covers it")
    for item in items:
        if item.get_closest_marker("own_sqlite"):
            item.add_marker(skip)
    return outcome


def pytest_collection_finish(session):
    """Once the test modules are imported: the cycle collector leaves what exists now alone
    (Django, the apps, the test modules: it is never garbage in a test process) and runs
    less often. With Python's defaults it walked those objects again and again; on a pair
    of runs of the authorization matrix, the case page and the reports' views, one after
    the other on this kind of machine, this took 5 to 7 % off their CPU time. The site's
    workers freeze their start-up heap too (core/heap.py) but keep Python's thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


@pytest.fixture(autouse=True, scope="session")
def _test_keyring(tmp_path_factory):
    """Tests never touch a developer's keyring: each run makes its own."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("keys") / "keyring.json"
    Keyring.generate().save(path)
    settings.KEYRING_PATH = path
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.DATA_DIR = tmp_path_factory.mktemp("data")  # checkpoint files land here
    reload_keyring()
    yield path
    reload_keyring()


@pytest.fixture(autouse=True, scope="session")
def _no_static_middleware_in_process():
    """No test fetches a static file through the test client; the browser tests' live
    server serves them through staticfiles' own handler, and nginx serves them in the
    deployment. (core.middleware.StaticFilesMiddleware no longer costs a request that is
    not for a static file two thread hops, but it still lists the files each time the test
    client builds its middleware.)"""
    from django.conf import settings

    kept = settings.MIDDLEWARE
    settings.MIDDLEWARE = [name for name in kept if name != "core.middleware.StaticFilesMiddleware"
                           and not name.startswith("servestatic.")]
    yield
    settings.MIDDLEWARE = kept


@pytest.fixture(autouse=True, scope="session")
def _the_demo_model_trained_once():
    """seed_demo trains the demo's triage model, which takes seconds. Training is
    deterministic (tests/routing/test_triage_learning.py proves it), so the first result is
    kept in var/test-models, named by a digest of everything it learnt from and was judged
    on, and later seedings record that same model afresh in their own database."""
    from routing import demo, learning
    from tests.demo_model import remembered

    real = demo.triage_model_train
    demo.triage_model_train = remembered(real, learning)
    yield
    demo.triage_model_train = real


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Just before pytest-django creates the test database: migrate once per source tree,
    not once per test process (tests/dbtemplate.py)."""
    from tests.dbtemplate import migrate_once

    migrate_once()


@pytest.fixture(autouse=True)
def _checkpoint_files_of_its_own(settings, tmp_path_factory):
    """Signed checkpoints are exported to DATA_DIR/checkpoints and verification reads them
    all; a test that signs one (drafting a monthly report does) must not leave it for the
    next test's chain, which it does not descend from."""
    settings.DATA_DIR = tmp_path_factory.mktemp("data")


@pytest.fixture(autouse=True)
def _no_lockout_carries_over():
    """Failed sign-ins are counted in the cache, not in the database that each test rolls
    back: a test that locks `officer` out must not lock out the next test's `officer`."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_pushed_ids_carry_over():
    """The live path remembers the notification ids this process pushed, so that its watcher
    does not send them twice (notify.push). A rolled-back test's ids are given again to the
    next test's notifications, which the watcher would then take for pushed already."""
    from notify import push

    push.pushed_forget_all()


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A request to /en/… leaves English active in the thread afterwards; a test that then
    reverses a URL outside a request would get the /en/ one."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _audit_trail_lets_the_test_database_be_flushed(request):
    """A transactional test ends by emptying every table (on PostgreSQL DELETE with the
    triggers off for the flush's transaction, or TRUNCATE without a superuser; on SQLite a
    copy of the migrated database, triggers included: see tests/dbtemplate.py), which the
    audit trail's triggers refuse. They are lifted just before that flush; the flush's
    post_migrate signal (audit/schedules.py), or the copy, puts them back."""
    if not empties_the_database(request.node):
        yield
        return
    # Requested here so that this fixture's teardown runs before the flush.
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from audit import triggers
    from tests.dbtemplate import when_unlocked

    when_unlocked(lambda: triggers.remove(connection))


def make_units() -> dict[str, Unit]:
    national = Unit.objects.create(
        code="UBEG", kind=Unit.Kind.NATIONAL, name_mn="Улсын бүртгэлийн ерөнхий газар",
        name_en="General Authority for State Registration",
    )
    dg = Unit.objects.create(
        code="DG", kind=Unit.Kind.DEPARTMENT, parent=national, public_phone="7052-2200",
        name_mn="Дорноговь аймгийн Улсын бүртгэлийн хэлтэс",
        name_en="Dornogovi Province State Registration Department",
    )
    du = Unit.objects.create(
        code="DU", kind=Unit.Kind.DEPARTMENT, parent=national,
        name_mn="Дундговь аймгийн Улсын бүртгэлийн хэлтэс",
        name_en="Dundgovi Province State Registration Department",
    )
    return {"UBEG": national, "DG": dg, "DU": du}


@pytest.fixture
def units(db):
    return make_units()


def _staff(username: str, password: str):
    """A staff member as every test makes one (unsaved): `password` already hashed."""
    return get_user_model()(username=username, password=password, first_name=username.title(),
                            last_name="Т.")


def _phone(user) -> TOTPDevice:
    return TOTPDevice(user=user, name="phone", confirmed=True)


def make_staff(username, unit, role, *, with_device=True):
    user = _staff(username, make_password(PASSWORD))
    user.save()
    Membership.objects.create(user=user, unit=unit, role=role)
    if with_device:
        _phone(user).save()
    return user


def make_personas(units: dict[str, Unit]) -> dict:
    """The seven personas, as make_staff makes each, in three INSERTs instead of 21: two
    thirds of the tests start with them."""
    cast = [*((role.value, units["DG"], role) for role in Role),
            ("outsider", units["DU"], Role.OFFICER), ("national_head", units["UBEG"], Role.HEAD)]
    password = make_password(PASSWORD)
    users = get_user_model().objects.bulk_create(_staff(name, password) for name, _, _ in cast)
    Membership.objects.bulk_create(Membership(user=user, unit=unit, role=role)
                                   for user, (_, unit, role) in zip(users, cast, strict=True))
    TOTPDevice.objects.bulk_create(map(_phone, users))
    return {user.username: user for user in users}


@pytest.fixture
def personas(units):
    return make_personas(units)


def sign_in(client, user):
    """Signs in as if through the login form with the second factor (fast path for tests
    that are not about login itself)."""
    client.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    # As the sign-in page's answer leaves it: its idle window renewed just now, so the
    # next minute of pages writes no session (core.middleware.SessionMiddleware).
    session[RENEWED] = int(time.time())
    session.save()
    return client


def get_counted(client, url: str, query: dict | None = None) -> tuple[int, object]:
    """GET `url` (a streamed file read to its end) and the number of database queries the
    answer took, for the tests that a page costs the same queries at any length. The page
    must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response


@pytest.fixture
def signed_in(client):
    return lambda user: sign_in(client, user)


@pytest.fixture
def own_files_and_rate_limits(settings, tmp_path):
    """Files and rate-limit counters stay with the test that made them. For modules whose
    pages write uploads or count requests: pytest.mark.usefixtures("own_files_and_rate_limits")."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_a_friday_in_march_2026():
    """The test runs at tests.intake.pages_case.NOW, the clock still ticking: the day the
    case pages' tables, the queue and the tracker were written for."""
    import time_machine

    from tests.intake.pages_case import NOW

    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """A transaction open for a whole test module, for records built once and shared by its
    tests, as Django's TestCase.setUpTestData does for a class (tests/shared_data.py). Each
    test's own transaction (pytest-django's `db`) is then a savepoint inside this one, and
    is rolled back to the records as they were built; this one is rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # as TestCase's own: a durable block may open inside
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
