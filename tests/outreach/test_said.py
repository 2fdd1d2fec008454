""""You said, we did": only for a closed case whose reporter allowed it; written by an
officer, published by the head; then on the hall screen, the printable page and the
reporter's own case page; withdrawn as easily."""

import time

import pytest
from django.core.cache import cache

from audit.models import AuditEvent
from intake.case.services import complaint_close
from intake.models import Complaint, Kind
from intake.receipts import format_code
from intake.services import Content, web_report_submit
from outreach.models import Publication
from tests.intake.test_tracking import track
from tests.intake.test_web_submission import report_form

pytestmark = pytest.mark.django_db

SAID = "Дугаарын машин эвдэрсэн гэж хэлсэн."
DID = "Шинэ машин тавьсан."


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    cache.clear()


def closed_case(units, personas, *, consent=True):
    logged = web_report_submit(unit=units["DG"], kind=Kind.SUGGESTION,
                               content=Content(body="Дугаарын машин ажиллахгүй байна."),
                               submission_token=f"said-{time.monotonic_ns()}", language="mn",
                               publish_consent=consent)
    complaint_close(complaint=logged.complaint, reason="Засварласан.", by=personas["officer"])
    return logged.complaint, format_code(logged.receipt)


def test_the_report_form_asks_and_the_answer_is_no_unless_ticked(units, client):
    page = client.get("/report/").content.decode()
    assert 'name="publish"' in page and 'name="publish" checked' not in page
    for ticked, body in ((False, "Эхний санал."), (True, "Хоёр дахь санал.")):
        data = {**report_form(client), "body": body, "kind": "suggestion"}
        if ticked:
            data["publish"] = "on"
        assert client.post("/report/", data).status_code == 200
    assert list(Complaint.objects.order_by("pk").values_list("publish_consent", flat=True)) \
        == [False, True]


def test_written_published_then_on_the_screen_the_board_and_the_reporters_page(
        units, personas, signed_in, client, django_capture_on_commit_callbacks):
    complaint, code = closed_case(units, personas)
    officer = signed_in(personas["officer"])
    listed = officer.get("/staff/u/DG/said/").content.decode()
    assert complaint.reference in listed
    answer = officer.post(f"/staff/u/DG/said/{complaint.reference}/",
                          {"said": SAID, "did": DID})
    assert answer.status_code == 302
    assert client.get("/screen/DG/data.json").json()["said"] is None  # not yet published
    head = signed_in(personas["head"])
    with django_capture_on_commit_callbacks(execute=True):
        assert head.post(f"/staff/u/DG/said/{complaint.reference}/publish/").status_code == 302
    data = client.get("/screen/DG/data.json").json()
    assert data["said"] == {"said": SAID, "did": DID} and "said" in data["slides"]
    assert DID in client.get("/open/DG/").content.decode()
    assert SAID in head.get("/staff/u/DG/said/print/").content.decode()
    assert DID in track(client, code).content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"publication.written", "publication.approved"} <= actions
    with django_capture_on_commit_callbacks(execute=True):
        head.post(f"/staff/u/DG/said/{complaint.reference}/withdraw/")
    assert client.get("/screen/DG/data.json").json()["said"] is None
    assert DID not in track(client, code).content.decode()
    assert DID not in client.get("/open/DG/").content.decode()


def test_without_consent_or_before_closing_nothing_can_be_written(units, personas, signed_in):
    refused, _code = closed_case(units, personas, consent=False)
    officer = signed_in(personas["officer"])
    answer = officer.post(f"/staff/u/DG/said/{refused.reference}/", {"said": SAID, "did": DID})
    assert answer.status_code == 409 and not Publication.objects.exists()
    assert refused.reference not in officer.get("/staff/u/DG/said/").content.decode()


def test_only_the_head_publishes_and_a_clerk_writes_nothing(units, personas, signed_in):
    complaint, _code = closed_case(units, personas)
    url = f"/staff/u/DG/said/{complaint.reference}/"
    assert signed_in(personas["clerk"]).post(url, {"said": SAID, "did": DID}).status_code == 403
    officer = signed_in(personas["officer"])
    officer.post(url, {"said": SAID, "did": DID})
    assert officer.post(url + "publish/").status_code == 403
    assert signed_in(personas["outsider"]).get(url).status_code == 404
    assert Publication.objects.get().state == Publication.State.DRAFT


def test_empty_or_too_long_text_is_refused_and_nothing_saved(units, personas, signed_in):
    complaint, _code = closed_case(units, personas)
    officer = signed_in(personas["officer"])
    url = f"/staff/u/DG/said/{complaint.reference}/"
    assert officer.post(url, {"said": "", "did": DID}).status_code == 400
    assert officer.post(url, {"said": "а" * 401, "did": DID}).status_code == 400
    assert not Publication.objects.exists()
