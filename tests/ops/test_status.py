"""The administrators' status page: only they may open it, and it tells the truth about the
task queue, deliveries, the audit trail's checkpoints, backups and keys, without a key."""

import html
import json
import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_q.models import Failure, OrmQ
from django_q.tasks import async_task

from audit.services import SYSTEM, make_checkpoint, record
from org.models import CalendarDay
from outbox.models import Agency, Outbox
from tests.ops.pages_ops import PAGES
from tests.routing.helpers import make_agency
from vault.keyring import load_keyring, reload_keyring
from vault.models import DataKey

pytestmark = pytest.mark.django_db

STATUS = reverse("ops:status", kwargs={"unit_code": "DG"})
PERSONAS = ["clerk", "officer", "head", "auditor", "admin", "outsider", "national_head"]
EXPECTED = {"admin": 200, "clerk": 403, "officer": 403, "head": 403, "auditor": 403,
            "outsider": 404, "national_head": 404}


def section(page: str, name: str) -> str:
    """The text of one section of the page, tags removed, spaces squeezed."""
    found = re.search(rf'<section[^>]*id="status-{name}".*?</section>', page, re.S)
    assert found, name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


@pytest.fixture
def admin_page(client, personas, signed_in):
    signed_in(personas["admin"])

    def read(language="en") -> str:
        url = STATUS if language == "mn" else "/en" + STATUS
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    return read


# --- who may open it ------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_units_administrators_may_open_the_status_page(
    client, personas, signed_in, persona
):
    signed_in(personas[persona])
    assert client.get(STATUS).status_code == EXPECTED[persona]


def test_anonymous_visitors_are_sent_to_sign_in(client, units):
    response = client.get(STATUS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


def test_an_administrator_without_the_second_factor_is_sent_to_set_it_up(client, personas):
    client.force_login(personas["admin"])
    response = client.get(STATUS)
    assert response.status_code == 302
    assert response["Location"] == reverse("org:two_factor_setup")


def test_an_unknown_unit_looks_like_a_foreign_one(client, personas, signed_in):
    signed_in(personas["admin"])
    assert client.get(reverse("ops:status", kwargs={"unit_code": "ZZ"})).status_code == 404


def test_the_page_changes_nothing_and_refuses_posts(client, personas, signed_in):
    signed_in(personas["admin"])
    assert client.post(STATUS).status_code == 405


def test_the_access_table_names_the_page():
    assert [page[0] for page in PAGES] == ["ops:status"]


def test_administrators_find_the_page_in_their_navigation(client, personas, signed_in):
    signed_in(personas["admin"])
    home = client.get(reverse("org:unit_home", kwargs={"unit_code": "DG"})).content.decode()
    assert f'href="{STATUS}"' in home
    client.logout()
    signed_in(personas["head"])
    home = client.get(reverse("org:unit_home", kwargs={"unit_code": "DG"})).content.decode()
    assert STATUS not in home


# --- what it shows --------------------------------------------------------------------------

def test_a_backed_up_quiet_installation_needs_no_attention_in_either_language(
    admin_page, units
):
    record(actor=SYSTEM, action="backup.written", object_type="backup", object_id="b1",
           details={"bytes": 10})
    make_checkpoint()
    # A quiet installation has this year's and next year's lunar new year in its calendar.
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        CalendarDay.objects.get_or_create(date=date(year, 2, 10), unit=None, defaults={
            "movable": True, "name_mn": "Цагаан сар", "name_en": "Lunar New Year"})
    for language in ("mn", "en"):
        page = admin_page(language)
        assert 'id="status-ok"' in page and 'id="status-problems"' not in page
        assert f'lang="{language}"' in page


def test_a_new_installation_has_never_been_backed_up(admin_page):
    page = admin_page()
    assert section(page, "backup").endswith("Last backup never")
    assert "No backup has been recorded." in section(page, "problems")


def test_the_queue_shows_waiting_tasks_and_recent_failures(admin_page):
    for _ in range(3):
        async_task("math.floor", 1.5, sync=False)
    assert OrmQ.objects.count() == 3
    now = timezone.now()
    for n, when in enumerate([now - timedelta(hours=1), now - timedelta(hours=30)]):
        Failure.objects.create(id=f"f{n}", name=f"f{n}", func="math.floor", started=when,
                               stopped=when, success=False)
    text = section(admin_page(), "queue")
    assert "Tasks waiting 3" in text
    assert "Tasks failed in the last 24 hours 1" in text


def test_the_outbox_shows_its_lag_and_what_was_given_up(admin_page, units):
    agency = make_agency()
    now = timezone.now()

    def entry(state, attempts, age):
        return Outbox.objects.create(
            agency=agency, delivery=Agency.Delivery.API, data_key=DataKey.objects.create_fresh(),
            package_name="p", package_sha256="0" * 64, package_size=1, state=state,
            attempts=attempts, created_at=now - age)

    entry(Outbox.State.PENDING, 0, timedelta(minutes=5))
    oldest = entry(Outbox.State.PENDING, 3, timedelta(hours=3))
    entry(Outbox.State.DELIVERED, 1, timedelta(days=9))
    page = admin_page()
    text = section(page, "outbox")
    assert "Waiting for a first try 1" in text
    assert "Waiting to be tried again 1" in text
    assert timezone.localtime(oldest.created_at).strftime("%Y-%m-%d %H:%M") in text
    assert "3 hours ago" in text
    assert "Given up 0" in text
    assert "waiting for more than an hour" in section(page, "problems")

    entry(Outbox.State.DEAD, 8, timedelta(days=1))
    page = admin_page()
    assert "Given up 1" in section(page, "outbox")
    assert "given up and must be sent another way" in section(page, "problems")


def test_the_trail_shows_the_last_checkpoint_and_whether_the_head_moved_since(
    admin_page, units
):
    for n in range(3):
        record(actor=SYSTEM, action="ops.test", object_type="thing", object_id=str(n))
    text = section(page := admin_page(), "trail")
    assert "Last checkpoint never" in text
    assert "never been checkpointed" in section(page, "problems")

    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        checkpoint = make_checkpoint()
    record(actor=SYSTEM, action="ops.test", object_type="thing", object_id="later")
    text = section(page := admin_page(), "trail")
    assert f"event {checkpoint.seq}, signed at" in text
    assert "Events since the last checkpoint 1" in text
    assert checkpoint.file_name in text
    assert "checkpoint" not in section(page, "problems")


def test_a_checkpoint_whose_file_is_gone_is_reported(admin_page, units, settings):
    record(actor=SYSTEM, action="ops.test", object_type="thing", object_id="1")
    checkpoint = make_checkpoint()
    (settings.DATA_DIR / "checkpoints" / checkpoint.file_name).unlink()
    page = admin_page()
    assert "Exported file none" in section(page, "trail")
    assert "checkpoint's file is missing" in section(page, "problems")


def test_the_last_backup_is_the_newest_backup_event(admin_page, units):
    with time_machine.travel(timezone.now() - timedelta(days=5), tick=False):
        record(actor=SYSTEM, action="backup.written", object_type="backup",
               object_id="shugel-old", details={"bytes": 1})
    page = admin_page()
    assert "shugel-old" in section(page, "backup")
    assert "more than two days old" in section(page, "problems")

    record(actor=SYSTEM, action="backup.written", object_type="backup",
           object_id="shugel-20261128-0300", details={"bytes": 52_428_800, "events": 17,
                                                      "files": {"nested": "skipped"}})
    page = admin_page()
    text = section(page, "backup")
    assert "shugel-20261128-0300" in text and "shugel-old" not in text
    assert "bytes 52428800" in text and "events 17" in text
    assert "nested" not in text
    assert "backup" not in section(page, "problems")


def test_keys_show_versions_and_unfinished_rotation_but_never_a_key(
    admin_page, units, settings
):
    DataKey.objects.create_fresh()
    DataKey.objects.create_fresh().shred()
    ring = load_keyring()
    ring.add_version("wrap")
    ring.add_version("blind")
    original = settings.KEYRING_PATH.read_text()
    ring.save(settings.KEYRING_PATH)
    reload_keyring()
    try:
        page = admin_page()
    finally:
        settings.KEYRING_PATH.write_text(original)
        reload_keyring()
    text = section(page, "keys")
    assert "The keyring loads." in text
    assert "Seals each record's data key ( wrap ) 2 1 (1), 2 (0)" in text
    assert "Search indexes that reveal no content ( blind ) 2 1 (0), 2 (0)" in text
    assert "Version 1 1 Version 2 (active) 0 Shredded 1 Waiting to be re-wrapped 1" in text
    assert "Key rotation is unfinished" in section(page, "problems")
    for purpose in json.loads(ring.to_json())["purposes"].values():
        for key in purpose["keys"].values():
            assert key not in page
            assert key.rstrip("=")[:16] not in page


def test_an_unreadable_keyring_is_reported_and_the_rest_still_shows(
    admin_page, units, settings, tmp_path
):
    settings.KEYRING_PATH = tmp_path / "nowhere" / "keyring.json"
    page = admin_page()
    assert "The keyring cannot be loaded" in section(page, "keys")
    assert "The keyring loads." not in page
    assert "Tasks waiting 0" in section(page, "queue")


def test_failed_messages_to_staff_are_counted(admin_page, personas):
    from notify.models import Dispatch

    Dispatch.objects.create(recipient=personas["head"], channel="email",
                            digest_day=timezone.localdate(), state=Dispatch.State.FAILED)
    page = admin_page()
    assert "Could not be sent 1" in section(page, "notices")
    assert "could not be sent" in section(page, "problems")
