"""A case's place in the worklist: its short title, written by staff and never sealed, and the
officer it is assigned to; who may set them, where, and what the audit trail keeps."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from intake.case.services import complaint_close
from intake.case.worklist import case_assign, case_title_set, officers_for
from intake.models import BoxOpening, Channel, Complaint, Kind, Recusal, tidy_title
from intake.services import Content, box_opening_record, box_slip_log, staff_channel_log
from org.models import Role
from tests.conftest import make_staff
from tests.intake.pages_case import CASE, NOW, RECEIVED, make_case
from tests.intake.pages_channels import counts, local_input

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("own_files_and_rate_limits", "on_a_friday_in_march_2026")]

TITLE = "Гэрчилгээ олгоход мөнгө нэхсэн"


@pytest.fixture
def complaint(units, personas):
    return make_case(units, personas)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def post(client, data, *, language="mn"):
    with translation.override(language):
        url = reverse("intake:case_worklist", kwargs=CASE)
    return client.post(url, data)


# --- the title --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Төлбөр   нэхсэн ", "Төлбөр нэхсэн"),
        ("Төлбөр\r\nнэхсэн\tдахин", "Төлбөр нэхсэн дахин"),
        ("Төл\x00бөр\x1b нэхсэн\x7f", "Төлбөр нэхсэн"),
        ("\u202eнэхсэн\u202c төлбөр\u200b\ufeff", "нэхсэн төлбөр"),
        ("", ""),
    ],
)
def test_a_title_is_kept_without_control_or_invisible_characters(typed, kept):
    assert tidy_title(typed) == kept


def test_the_title_is_saved_audited_by_its_length_only_and_never_sealed(complaint,
                                                                        personas):
    case_title_set(complaint=complaint, title=TITLE, by=personas["officer"])
    complaint.refresh_from_db()
    assert complaint.title == TITLE
    event = events("complaint.titled")[-1]
    assert event.details_dict == {"reference": complaint.reference, "length": len(TITLE),
                                  "replaced": False}
    assert TITLE not in str(event.details_dict)
    # The same title again changes nothing and records nothing.
    case_title_set(complaint=complaint, title=f" {TITLE} ", by=personas["head"])
    assert len(events("complaint.titled")) == 1
    case_title_set(complaint=complaint, title="", by=personas["clerk"])
    complaint.refresh_from_db()
    assert complaint.title == ""
    assert events("complaint.titled")[-1].details_dict["replaced"] is True


def test_a_title_too_long_is_refused_and_nothing_changes(complaint, personas):
    before = counts()
    with pytest.raises(ValidationError):
        case_title_set(complaint=complaint, title="ж" * 81, by=personas["officer"])
    complaint.refresh_from_db()
    assert complaint.title == "" and counts() == before
    case_title_set(complaint=complaint, title="ж" * 80, by=personas["officer"])


@pytest.mark.parametrize("who", ["auditor", "admin", "outsider"])
def test_only_the_units_clerk_officers_and_head_write_a_title(complaint, personas, who):
    with pytest.raises(PermissionDenied):
        case_title_set(complaint=complaint, title=TITLE, by=personas[who])
    assert not events("complaint.titled")


def test_the_officer_writes_the_title_and_assigns_the_case_in_one_form(
    client, personas, signed_in, complaint
):
    signed_in(personas["officer"])
    officer = personas["officer"]
    response = post(client, {"worklist-title": TITLE, "worklist-officer": officer.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:case", kwargs=CASE)
    complaint.refresh_from_db()
    assert (complaint.title, complaint.assigned_to) == (TITLE, officer)
    assert [e.action for e in AuditEvent.objects.order_by("-seq")[:2]] == [
        "complaint.assigned", "complaint.titled"]
    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    assert f'value="{TITLE}"' in page
    assert f'<option value="{officer.pk}" selected>' in page


def test_a_title_too_long_on_the_case_page_is_kept_in_the_form_with_the_reason(
    client, personas, signed_in, complaint
):
    signed_in(personas["officer"])
    before = counts()
    long_title = "ж" * 81
    response = post(client, {"worklist-title": long_title, "worklist-officer": ""},
                    language="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Keep it under 80 characters." in page and long_title in page
    assert counts() == before


def test_the_clerk_titles_what_they_logged_from_the_logged_page(client, personas, signed_in,
                                                               complaint):
    signed_in(personas["clerk"])
    logged = reverse("intake:logged", kwargs={"unit_code": "DG", "complaint_id": complaint.pk})
    assert 'name="worklist-title"' in client.get(logged).content.decode()
    # An officer field sent along is not the clerk's to set: it is ignored.
    response = post(client, {"worklist-title": TITLE,
                             "worklist-officer": personas["officer"].pk})
    assert response.status_code == 302 and response["Location"] == logged
    complaint.refresh_from_db()
    assert complaint.title == TITLE and complaint.assigned_to is None
    assert not events("complaint.assigned")


def test_the_clerks_title_too_long_comes_back_on_the_logged_page(client, personas, signed_in,
                                                                complaint):
    signed_in(personas["clerk"])
    response = post(client, {"worklist-title": "ж" * 81}, language="en")
    assert response.status_code == 400
    assert response.templates[0].name == "intake/staff/channels/logged.html"
    assert "Keep it under 80 characters." in response.content.decode()


def test_a_clerk_cannot_title_a_case_the_logged_page_does_not_show(client, units, personas,
                                                                  signed_in):
    opening = box_opening_record(
        unit=units["DG"], box=BoxOpening.Box.COMPLAINT, opened_at=RECEIVED,
        opened_by=personas["clerk"], witness=personas["officer"], slip_count=1,
        recorded_by=personas["clerk"])
    slip = box_slip_log(opening=opening, kind=Kind.COMPLAINT, content=Content(body="Хуудас"),
                        logged_by=personas["clerk"]).complaint
    signed_in(personas["clerk"])
    url = reverse("intake:case_worklist", kwargs={"unit_code": "DG",
                                                   "reference": slip.reference})
    assert client.post(url, {"worklist-title": TITLE}).status_code == 404
    slip.refresh_from_db()
    assert slip.title == ""


@pytest.mark.parametrize(
    ("page", "data", "field"),
    [
        ("intake:phone_call_new", {"line": "7052-2200", "started_at": None, "duration": "4:30",
                                   "kind": Kind.COMPLAINT, "body": "Утсаар ирсэн гомдол",
                                   "summary_confirmed": "on"}, "phone"),
        ("intake:channel_log", {"kind": Kind.COMPLAINT, "received_at": None,
                                "body": "Биечлэн ирсэн"}, "walk_in"),
    ],
)
def test_the_clerk_gives_the_title_when_logging(client, personas, signed_in, units, page, data,
                                                field):
    from intake.channels.forms_logged import PhoneCallForm

    signed_in(personas["clerk"])
    kwargs = {"unit_code": "DG", **({"channel": field} if field != "phone" else {})}
    url = reverse(page, kwargs=kwargs)
    token = client.get(url).context["form"]["token"].value()
    data = {**data, "token": token, "title": "  Дугаар\nавахад  чирэгдсэн "}
    for key in ("started_at", "received_at"):
        if key in data:
            data[key] = local_input(NOW)
    assert "title" in PhoneCallForm.base_fields
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert Complaint.objects.get().title == "Дугаар авахад чирэгдсэн"


def test_a_title_too_long_when_logging_saves_nothing(client, personas, signed_in, units):
    signed_in(personas["clerk"])
    url = reverse("intake:channel_log", kwargs={"unit_code": "DG", "channel": "walk_in"})
    token = client.get(url).context["form"]["token"].value()
    before = counts()
    response = client.post(url, {"token": token, "kind": Kind.COMPLAINT, "body": "Ирсэн",
                                 "received_at": local_input(NOW), "title": "ж" * 81})
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert counts() == before


def test_the_workflows_refuse_a_title_too_long_too(units, personas):
    with pytest.raises(ValidationError):
        staff_channel_log(unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
                          received_at=RECEIVED, content=Content(body="Захидал"),
                          logged_by=personas["clerk"], title="ж" * 81)
    assert not Complaint.objects.exists()


# --- the assigned officer ------------------------------------------------------------------

def test_a_case_is_assigned_to_an_officer_of_its_unit_and_audited(complaint, personas):
    officer = personas["officer"]
    case_assign(complaint=complaint, officer=officer, by=personas["head"])
    complaint.refresh_from_db()
    assert complaint.assigned_to == officer
    assert events("complaint.assigned")[-1].details_dict == {
        "reference": complaint.reference, "from": None, "to": officer.pk}
    case_assign(complaint=complaint, officer=officer, by=personas["officer"])
    assert len(events("complaint.assigned")) == 1  # nothing changed, nothing recorded
    case_assign(complaint=complaint, officer=None, by=personas["officer"])
    complaint.refresh_from_db()
    assert complaint.assigned_to is None
    assert events("complaint.assigned")[-1].details_dict["from"] == officer.pk


@pytest.mark.parametrize("who", ["head", "clerk", "auditor", "outsider", "recused"])
def test_a_case_is_never_assigned_to_anyone_but_an_officer_who_may_handle_it(
    complaint, personas, units, who
):
    people = dict(personas)
    people["recused"] = make_staff("recused", units["DG"], Role.OFFICER)
    Recusal.objects.create(complaint=complaint, user=people["recused"])
    assert set(officers_for(complaint)) == {personas["officer"]}
    with pytest.raises(ValidationError) as refused:
        case_assign(complaint=complaint, officer=people[who], by=personas["head"])
    assert refused.value.code == "not_an_officer"
    complaint.refresh_from_db()
    assert complaint.assigned_to is None and not events("complaint.assigned")


@pytest.mark.parametrize("who", ["clerk", "auditor", "outsider"])
def test_only_the_units_officers_and_head_assign(complaint, personas, who):
    with pytest.raises(PermissionDenied):
        case_assign(complaint=complaint, officer=personas["officer"], by=personas[who])
    assert not events("complaint.assigned")


def test_a_closed_case_is_not_assigned_and_its_form_has_no_officer(client, personas,
                                                                   signed_in, complaint):
    complaint_close(complaint=complaint, reason="Шийдвэрлэсэн", by=personas["head"])
    with pytest.raises(ValidationError):
        case_assign(complaint=complaint, officer=personas["officer"], by=personas["head"])
    signed_in(personas["head"])
    page = client.get(reverse("intake:case", kwargs=CASE)).content.decode()
    assert 'name="worklist-title"' in page and 'name="worklist-officer"' not in page
    assert post(client, {"worklist-title": TITLE}).status_code == 302  # the title still goes
    complaint.refresh_from_db()
    assert complaint.title == TITLE and complaint.assigned_to is None


@pytest.mark.parametrize("who", ["head", "clerk", "outsider"])
def test_assigning_to_someone_not_offered_is_refused_in_words(client, personas, signed_in,
                                                              complaint, who):
    signed_in(personas["head"])
    response = post(client, {"worklist-title": TITLE, "worklist-officer": personas[who].pk},
                    language="en")
    assert response.status_code == 400
    assert ("A case can be assigned only to an officer of its unit who may handle it."
            in response.content.decode())
    complaint.refresh_from_db()
    # Saved together or not at all: the title did not go either.
    assert complaint.assigned_to is None and complaint.title == ""
    assert not events("complaint.assigned") and not events("complaint.titled")


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("admin", 403),
                                             ("outsider", 404), ("national_head", 404)])
def test_the_worklist_form_refuses_the_wrong_role_and_the_wrong_unit(
    client, personas, signed_in, complaint, who, status
):
    signed_in(personas[who])
    response = post(client, {"worklist-title": TITLE,
                             "worklist-officer": personas["officer"].pk})
    assert response.status_code == status
    complaint.refresh_from_db()
    assert complaint.title == "" and complaint.assigned_to is None


def test_the_worklist_form_refuses_a_case_of_another_unit(client, personas, signed_in, units,
                                                          complaint):
    theirs = staff_channel_log(unit=units["DU"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
                               received_at=RECEIVED, content=Content(body="Гомдол"),
                               logged_by=personas["outsider"]).complaint
    signed_in(personas["head"])
    url = reverse("intake:case_worklist", kwargs={"unit_code": "DG",
                                                   "reference": theirs.reference})
    assert client.post(url, {"worklist-title": TITLE}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == ""
