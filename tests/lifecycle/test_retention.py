"""Retention: how long a closed case is kept, the legal hold, the warning and the shredding.

Each test runs at a fixed moment and moves the clock years ahead, as the daily sweep would
find the case then; everything it checks is read back from the database and the files."""

import os
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import verify_chain
from intake.case.services import complaint_close
from intake.models import Attachment, Complaint, Kind
from intake.receipts import receipt_candidates
from lifecycle import retention
from notify.models import Event
from notify.models import Kind as EventKind
from routing.models import Category
from tests.demo_model import SEED_DEMO
from tests.intake.pages_case import NOW, make_case
from tests.routing.helpers import approved_referral, make_agency, triage
from tests.sqlite_files import database_path, migrated_copy
from vault.errors import ShreddedError
from vault.files import _path

pytestmark = pytest.mark.django_db

UB = ZoneInfo("Asia/Ulaanbaatar")
CANARY = "retention-canary-7d41"


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def closed_case(units, personas, *, kind=Kind.COMPLAINT, codes=None, corruption=None,
                refer=False):
    with time_machine.travel(NOW, tick=False):
        complaint = make_case(units, personas, body=f"Мөнгө нэхсэн. {CANARY}")
        if kind != Kind.COMPLAINT:
            Complaint.objects.filter(pk=complaint.pk).update(kind=kind)
        if codes is not None:
            triage(complaint, personas["officer"], codes, corruption=corruption)
        if refer:
            approved_referral(complaint, personas["officer"], personas["head"], make_agency())
        complaint_close(complaint=Complaint.objects.get(pk=complaint.pk),
                        reason="Шийдвэрлэсэн.", by=personas["officer"])
    return Complaint.objects.select_related("data_key").get(pk=complaint.pk)


def on(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 3, 0, tzinfo=UB),
                               tick=False)


@pytest.mark.parametrize(("codes", "corruption", "red_tape_years", "years", "rule"), [
    (None, None, None, 5, "complaint"),
    (("red_tape",), False, None, 5, "complaint"),
    (("red_tape",), False, 7, 7, "category:red_tape"),
    (("red_tape",), True, 7, 10, "corruption"),
    (("bribery",), None, None, 10, "corruption"),
    (("bribery", "red_tape"), None, 15, 15, "category:red_tape"),
])
def test_the_longest_rule_that_applies_sets_the_period(
    units, personas, codes, corruption, red_tape_years, years, rule
):
    Category.objects.filter(code="red_tape").update(retention_years=red_tape_years)
    complaint = closed_case(units, personas, codes=codes, corruption=corruption)
    found = retention.retention_of(complaint)
    assert (found.years, found.rule) == (years, rule)
    assert found.closed_on == NOW.date()
    assert found.until == date(2026 + years, 3, 20)


def test_suggestions_are_kept_shorter_and_referred_cases_longer(units, personas, settings):
    suggestion = closed_case(units, personas, kind=Kind.SUGGESTION)
    assert retention.retention_of(suggestion).years == 3
    settings.RETENTION_YEARS = {**settings.RETENTION_YEARS, "referred": 12}
    assert retention.retention_of(suggestion).years == 3


def test_a_referred_case_is_kept_for_the_referred_period(units, personas, settings):
    settings.RETENTION_YEARS = {**settings.RETENTION_YEARS, "referred": 12}
    complaint = closed_case(units, personas, codes=("bribery",), refer=True)
    assert (retention.retention_of(complaint).years,
            retention.retention_of(complaint).rule) == (12, "referred")


def test_an_open_case_has_no_retention_yet(units, personas):
    with time_machine.travel(NOW, tick=False):
        complaint = make_case(units, personas)
    assert retention.retention_of(complaint) is None
    with on(date(2040, 1, 1)):
        assert str(retention.sweep()) == "0 shredded, 0 warned"
    assert not Complaint.objects.get(pk=complaint.pk).data_key.is_shredded


def test_29_february_falls_back_to_28_february():
    assert retention.add_years(date(2028, 2, 29), 5) == date(2033, 2, 28)
    assert retention.add_years(date(2028, 2, 29), 4) == date(2032, 2, 29)


def test_the_sweep_shreds_an_expired_case_and_keeps_its_record(
    units, personas, django_capture_on_commit_callbacks
):
    complaint = closed_case(units, personas, codes=("bribery",))
    Complaint.objects.filter(pk=complaint.pk).update(
        receipt_hash=receipt_candidates("1234567812345678")[0], reporter_phone_index="v1:ab",
        title="Мөнгө нэхсэн")
    stored = list(Attachment.objects.filter(complaint=complaint)
                  .values_list("stored_name", flat=True))
    assert stored and all(_path(name).exists() for name in stored)

    with on(date(2036, 3, 19)):  # the day before ten years are up: kept
        result = retention.sweep()
    assert result.shredded == 0
    with on(date(2036, 3, 20)), django_capture_on_commit_callbacks(execute=True):
        result = retention.sweep()
    assert result.shredded == 1

    complaint = Complaint.objects.select_related("data_key").get(pk=complaint.pk)
    assert complaint.data_key.is_shredded and bytes(complaint.data_key.wrapped) == b""
    with pytest.raises(ShreddedError):
        complaint.body.reveal()
    assert not Attachment.objects.filter(complaint=complaint).exists()
    assert not any(_path(name).exists() for name in stored)
    assert complaint.receipt_hash is None and complaint.reporter_phone_index == ""
    assert complaint.title == ""  # staff's short title goes with the content
    # What the reports and the trail need stays.
    assert complaint.reference == "DG-2026-00001" and complaint.closed_at is not None
    assert [c.code for c in complaint.triage_decisions.current().get().categories.all()] == [
        "bribery"]
    event = AuditEvent.objects.get(action="complaint.shredded")
    assert event.object_id == str(complaint.pk) and event.actor_kind == "system"
    assert '"rule":"corruption"' in event.details and '"files_deleted":1' in event.details
    assert CANARY not in event.details
    assert verify_chain().ok

    with on(date(2036, 3, 21)):  # the next day's sweep finds nothing more to do
        assert retention.sweep().shredded == 0
    assert AuditEvent.objects.filter(action="complaint.shredded").count() == 1


def test_a_case_on_legal_hold_is_kept_until_released(units, personas):
    complaint = closed_case(units, personas)
    retention.legal_hold_place(complaint=complaint, by=personas["head"])
    with on(date(2035, 1, 1)):
        assert retention.sweep().shredded == 0
    assert not Complaint.objects.get(pk=complaint.pk).data_key.is_shredded
    retention.legal_hold_release(complaint=complaint, by=personas["head"])
    with on(date(2035, 1, 1)):
        assert retention.sweep().shredded == 1
    actions = list(AuditEvent.objects.filter(object_id=str(complaint.pk)).order_by("seq")
                   .values_list("action", flat=True))
    assert actions[-3:] == ["complaint.legal_hold", "complaint.legal_hold_released",
                            "complaint.shredded"]


def test_staff_are_warned_once_before_the_content_is_destroyed(units, personas, settings):
    settings.RETENTION_WARN_DAYS = 30
    complaint = closed_case(units, personas)  # kept until 2031-03-20
    with on(date(2031, 2, 17)):  # 31 days before: not yet
        assert retention.sweep().warned == 0
    with on(date(2031, 2, 18)):
        assert retention.sweep().warned == 1
    with on(date(2031, 2, 19)):
        assert retention.sweep().warned == 0
    event = Event.objects.get(kind=EventKind.RETENTION_WARNING)
    assert event.subject == {"complaint": complaint.pk, "reference": "DG-2026-00001",
                             "due": "2031-03-20"}
    told = set(event.notifications.values_list("recipient__username", flat=True))
    assert told == {personas["officer"].username, personas["head"].username}
    assert not Complaint.objects.get(pk=complaint.pk).data_key.is_shredded


def test_the_shredded_case_page_says_what_happened(client, units, personas, signed_in):
    complaint = closed_case(units, personas)
    with on(date(2031, 3, 20)):
        retention.sweep()
    signed_in(personas["officer"])
    page = client.get(reverse("intake:case", args=["DG", complaint.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "DG-2026-00001" in text and CANARY not in text
    assert 'id="retention"' in text
    read = client.post(reverse("intake:case_read", args=["DG", complaint.reference]))
    assert read.status_code == 302  # back to the case with the vault's message, not a 500
    assert client.get(read["Location"]).status_code == 200


def test_the_head_places_and_releases_the_hold_from_the_case_page(
    client, units, personas, signed_in
):
    complaint = closed_case(units, personas)
    signed_in(personas["head"])
    url = reverse("lifecycle:legal_hold", args=["DG", complaint.reference])
    page = client.get(reverse("intake:case", args=["DG", complaint.reference]))
    assert "2031" in page.content.decode()  # kept until, on the case page
    assert client.post(url, {"action": "place"}).status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).legal_hold_by == personas["head"]
    assert client.post(url, {"action": "place"}).status_code == 409  # already on hold
    before = AuditEvent.objects.count()
    assert client.post(url, {"action": "shred-it"}).status_code == 400
    assert AuditEvent.objects.count() == before
    assert client.post(url, {"action": "release"}).status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).legal_hold_at is None



def test_on_a_closed_case_the_retention_panel_comes_first_and_the_rest_is_folded(
    client, units, personas, signed_in
):
    """lifecycle registers its panel in its own AppConfig, routing its triage and referrals:
    on a closed case retention and the legal hold are what is left to do, so they come
    first, and routing's panels follow folded away (intake.case.pages orders by task)."""
    complaint = closed_case(units, personas)
    signed_in(personas["head"])
    page = client.get(reverse("intake:case", args=["DG", complaint.reference])).content.decode()
    assert page.index('id="retention"') < page.index('id="triage"') < page.index(
        'id="referrals"')
    assert reverse("lifecycle:legal_hold", args=["DG", complaint.reference]) in page


SHRED_FIRST_CASE = """
from datetime import timedelta
from django.utils import timezone
from intake.models import Complaint, Status
from lifecycle import retention
case = Complaint.objects.select_related("data_key").order_by("pk").first()
wrapped = bytes(case.data_key.wrapped)
Complaint.objects.filter(pk=case.pk).update(
    status=Status.CLOSED, closed_at=timezone.now() - timedelta(days=365 * 20))
shredded = retention.sweep().shredded
# Read while this process still holds its connection, as a running server would.
from django.db import connection
name = str(connection.settings_dict["NAME"])
left = [suffix for suffix in ("", "-wal", "-journal")
        if __import__("os").path.exists(name + suffix)
        and wrapped in open(name + suffix, "rb").read()]
print(shredded, len(wrapped), "left:" + ",".join(left or ["none"]))
"""


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_no_copy_of_the_destroyed_key_stays_in_the_sqlite_files(tmp_path):
    """On a real SQLite file in WAL mode, as `make run` has it: right after the sweep, with
    the connection still open, neither the database file nor its write-ahead log holds the
    wrapped key's bytes."""
    env = {**os.environ, "SHUGEL_DATA_DIR": str(tmp_path), "SHUGEL_ENV": "development",
           "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    env.pop("REDIS_URL", None)
    migrated_copy(database_path(env))  # its migrate below then has nothing to apply
    # The demo's triage model has nothing to do with retention: trained once, then reused.
    for command in (["keys", "generate"], ["migrate", "-v0"], ["shell", "-c", SEED_DEMO],
                    ["shell", "-c", SHRED_FIRST_CASE]):
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=settings.BASE_DIR,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
    shredded, length, left = done.stdout.split()[-3:]
    assert shredded == "1" and int(length) > 32
    assert left == "left:none"


def test_the_sweep_reads_the_rules_of_many_cases_in_a_fixed_number_of_queries(
    units, personas, django_assert_max_num_queries
):
    """The rules of a batch of cases come with the batch; each case's period is the same
    as retention_of gives it read alone."""
    from intake.models import Channel
    from intake.services import Content, staff_channel_log

    agency = make_agency()
    cases = []
    for codes, refer in ((None, False), (("red_tape",), False), (("bribery",), False),
                         (("red_tape",), True)):
        with time_machine.travel(NOW, tick=False):
            case = staff_channel_log(
                unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
                received_at=NOW, content=Content(body="Мөнгө нэхсэн."),
                logged_by=personas["clerk"]).complaint
            if codes:
                triage(case, personas["officer"], codes)
            if refer:
                approved_referral(case, personas["officer"], personas["head"], agency)
            complaint_close(complaint=Complaint.objects.get(pk=case.pk),
                            reason="Шийдвэрлэсэн.", by=personas["officer"])
        cases.append(case)
    Category.objects.filter(code="red_tape").update(retention_years=7)
    alone = {case.pk: retention.retention_of(Complaint.objects.get(pk=case.pk))
             for case in cases}
    batch = retention.with_what_rules_read(Complaint.objects.filter(pk__in=alone))
    with django_assert_max_num_queries(4):
        together = {case.pk: retention.retention_of(case) for case in batch}
    assert together == alone
    assert [alone[case.pk].rule for case in cases] == [
        "complaint", "category:red_tape", "corruption", "referred"]
