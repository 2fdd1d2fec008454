"""Recusal: staff named in a complaint, by name or position, never see it; a complaint that
names the head goes to the parent unit's head as well."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from intake.case.services import case_note_add, case_read
from intake.models import Channel, Complaint, Kind, Recusal
from intake.recusal import named_staff
from intake.services import (
    Content,
    box_opening_record,
    box_slip_log,
    phone_call_log,
    staff_channel_log,
    web_report_submit,
)
from org.models import Membership, Role
from tests.conftest import make_staff
from tests.intake.pages_case import CASE, PAGES, POST_DATA, REFERENCE, make_case, method_of

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("own_files_and_rate_limits", "on_a_friday_in_march_2026")]

CANARY = "canary-recusal-41f7"


def _call(user, first_name, last_name, position=""):
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    Membership.objects.filter(user=user).update(position=position)
    return user


@pytest.fixture
def staff(units, personas):
    """DG's staff with real names, as in the demo, and a few more whose names test the
    matcher: a common word (Болд), a final short vowel (Сэлэнгэ), ө (Өлзийбат), х
    (Хүрэлсүх). The admin keeps the role for a name ("Admin" "Т.")."""
    dg = units["DG"]
    people = {
        "head": _call(personas["head"], "Уранбилэг", "Э.", "Хэлтсийн дарга"),
        "officer": _call(personas["officer"], "Тэмүүлэн", "Д.",
                         "Улсын бүртгэлийн улсын байцаагч"),
        "clerk": _call(personas["clerk"], "Сарантуяа", "Б.", "Архив, бичиг хэргийн эрхлэгч"),
        "admin": personas["admin"],
        "auditor": personas["auditor"],
    }
    for username, first, last in (("bold", "Болд", "Г."), ("selenge", "Сэлэнгэ", "Н."),
                                  ("ulziibat", "Өлзийбат", "Ц."),
                                  ("khurelsukh", "Хүрэлсүх", "А.")):
        people[username] = _call(make_staff(username, dg, Role.OFFICER), first, last)
    # Someone of another unit, and someone who left, are never matched.
    _call(personas["outsider"], "Номинтуяа", "С.")
    left = _call(make_staff("left", dg, Role.OFFICER), "Ганхуяг", "О.")
    Membership.objects.filter(user=left).update(is_active=False)
    return people


# The matcher --------------------------------------------------------------------------------

NAMED = [
    # Initials with the patronymic, on either side, with or without a space.
    ("Э.Уранбилэг мөнгө нэхсэн.", {"head"}),
    ("Э. Уранбилэг мөнгө нэхсэн.", {"head"}),
    ("Уранбилэг Э. бичгийг минь хүлээж аваагүй.", {"head"}),
    # The name alone, inflected.
    ("Уранбилэг гэдэг хүн хүнд суртал гаргасан.", {"head"}),
    ("Уранбилэгийн өрөөнд орж уулзсан.", {"head"}),
    ("Би Уранбилэгт хэлсэн.", {"head"}),
    ("Уранбилэгээс лавлагаа авах гэсэн.", {"head"}),
    ("Уранбилэг-тэй уулзсан.", {"head"}),
    # Latin letters, and a mix of both alphabets.
    ("E.Uranbileg avilga avsan", {"head"}),
    ("uranbilegiin uruund orson", {"head"}),
    ("Uranbilег darga", {"head"}),
    ("Temuulen bayitsaagch mungu nehsen", {"officer"}),
    ("Temüülen heelsen", {"officer"}),
    ("Khurelsukh", {"khurelsukh"}),
    ("Hurelsuhiin", {"khurelsukh"}),
    ("Ulziibat", {"ulziibat"}),
    ("Olziibatiin", {"ulziibat"}),
    ("Өлзийбатаас", {"ulziibat"}),
    # A final short vowel dropped before the ending.
    ("Сэлэнгийн ширээн дээр", {"selenge"}),
    ("Сэлэнгэтэй ярьсан", {"selenge"}),
    # A name that is a common word counts with the patronymic beside it.
    ("Г.Болд хүнд суртал гаргасан", {"bold"}),
    ("Болд Г.-ийн ажил", {"bold"}),
    # Several people at once.
    ("Д.Тэмүүлэн, Сарантуяа хоёр", {"officer", "clerk"}),
    # Positions.
    ("Хэлтсийн даргад хандсан боловч хариу өгөөгүй.", {"head"}),
    ("The head of department asked for money.", {"head"}),
    ("The head of the department ignored me.", {"head"}),
    ("Дарга нь хүлээж авсангүй.", {"head"}),
    ("Даргыг асуухад байхгүй гэсэн.", {"head"}),
    ("Улсын байцаагч бэлэг нэхсэн.", {"officer"}),
    ("Бичиг хэргийн эрхлэгч бичгийг гээсэн.", {"clerk"}),
    ("heltsiin darga avilga avsan", {"head"}),
    # An account named after a role: the initial is what names them.
    ("Т.Admin нууц үгийг задруулсан", {"admin"}),
]

NOT_NAMED = [
    "Гэрчилгээ авахад хоёр долоо хоног хүлээлгэсэн.",
    # A common word that is also a staff member's name, without the patronymic.
    "Болд гэдэг хүн тусалсан.",
    "Б.Болд тусалсан.",  # another Болд: the patronymic does not fit
    # A longer name that begins with a staff name is another person.
    "Болдбаатар гэдэг иргэн дараалалд зогссон.",
    "Уранбилэгмаа гэж хүн байсан.",
    # A word that begins like a name but is not one of its endings.
    "Тэмүүлэлтэй залуус ажилладаг.",
    # Roles as words, and the unit's own name.
    "The officer at the window was rude, the clerk too.",
    "The admin page did not load.",
    "Улсын бүртгэлийн хэлтэст очсон.",
    # People of another unit, and people who left.
    "Номинтуяа мөнгө авсан.",
    "Ганхуяг мөнгө авсан.",
    # Short names only count with the patronymic; initials alone name nobody.
    "Э. гэж хэн бэ?",
    "",
]


@pytest.mark.parametrize(("text", "expected"), NAMED)
def test_the_matcher_finds_staff_named_in_every_usual_form(units, staff, text, expected):
    found = named_staff(units["DG"], [text])
    assert {user.username for user in found} == expected


@pytest.mark.parametrize("text", NOT_NAMED)
def test_the_matcher_leaves_out_words_and_people_it_must_not_take_for_staff(units, staff,
                                                                            text):
    assert named_staff(units["DG"], [text]) == set()


def test_a_place_that_shares_a_staff_name_recuses_that_person(units, staff):
    """Leaning towards recusal: "Сэлэнгэ" is a river and a name; a distinctive name is
    taken as the person, since missing them would let them read a complaint about them."""
    assert named_staff(units["DG"], ["Сэлэнгэ мөрөн рүү явсан."]) == {staff["selenge"]}


def test_a_bare_darga_names_nobody_when_another_position_is_a_darga(units, staff):
    Membership.objects.filter(user=staff["auditor"]).update(position="Хэлтсийн дэд дарга")
    assert named_staff(units["DG"], ["Дарга нь хүлээж авсангүй."]) == set()
    assert named_staff(units["DG"], ["Хэлтсийн дэд дарга хүлээж авсангүй."]) == {
        staff["auditor"]}
    assert named_staff(units["DG"], ["Хэлтсийн дарга хүлээж авсангүй."]) == {staff["head"]}


def test_the_matcher_reads_every_text_it_is_given(units, staff):
    found = named_staff(units["DG"], ["Гомдол", "", "Д.Тэмүүлэн", "Уранбилэгт"])
    assert found == {staff["officer"], staff["head"]}


# At intake ----------------------------------------------------------------------------------

def _web(units, body, **content):
    return web_report_submit(unit=units["DG"], kind=Kind.COMPLAINT,
                             content=Content(body=body, **content),
                             submission_token=f"t-{body[:8]}-{len(body)}",
                             language="mn").complaint


def _letter(units, personas, body, **content):
    return staff_channel_log(unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
                             received_at=timezone.now() - timedelta(hours=1),
                             content=Content(body=body, **content),
                             logged_by=personas["clerk"]).complaint


def _phone(units, personas, body):
    return phone_call_log(unit=units["DG"], line="7052-2200",
                          started_at=timezone.now() - timedelta(hours=1), duration_seconds=90,
                          kind=Kind.COMPLAINT, content=Content(body=body),
                          summary_confirmed=True, give_receipt=False,
                          logged_by=personas["clerk"]).complaint


def _box_slip(units, personas, body):
    opening = box_opening_record(unit=units["DG"], box=Channel.COMPLAINT_BOX,
                                 opened_at=timezone.now() - timedelta(hours=1),
                                 opened_by=personas["clerk"], witness=personas["auditor"],
                                 slip_count=1, recorded_by=personas["clerk"])
    return box_slip_log(opening=opening, kind=Kind.COMPLAINT, content=Content(body=body),
                        logged_by=personas["clerk"]).complaint


CHANNELS = {
    "web": lambda units, personas, body: _web(units, body),
    "letter": _letter,
    "phone": _phone,
    "box": _box_slip,
}


@pytest.mark.parametrize("channel", CHANNELS)
def test_staff_named_are_recused_whichever_way_the_complaint_came_in(units, personas, staff,
                                                                     channel):
    complaint = CHANNELS[channel](units, personas, "Д.Тэмүүлэн мөнгө нэхсэн.")
    assert list(complaint.recusals.values_list("user__username", "reason")) == [
        ("officer", Recusal.Reason.NAMED)]


def test_a_name_in_the_subject_or_the_particulars_recuses_too(units, personas, staff):
    by_subject = _web(units, "Мөнгө нэхсэн.", subject="Сарантуяа")
    by_particulars = _letter(units, personas, "Мөнгө нэхсэн.",
                             particulars={"where": "Хүрэлсүхийн ширээ", "when": "өчигдөр"})
    assert {r.user for r in by_subject.recusals.all()} == {staff["clerk"]}
    assert {r.user for r in by_particulars.recusals.all()} == {staff["khurelsukh"]}


def test_a_complaint_naming_nobody_has_no_recusal_and_no_recusal_event(units, personas, staff):
    complaint = _letter(units, personas, "Дараалал урт байсан.")
    assert not complaint.recusals.exists()
    assert complaint.escalated_to is None
    assert not AuditEvent.objects.filter(action="complaint.recused").exists()


def test_the_recusal_event_gives_the_count_and_the_people_and_nothing_of_the_text(
        units, personas, staff):
    body = f"Э.Уранбилэг, Д.Тэмүүлэн хоёр {CANARY} гэж хэлсэн."
    complaint = _web(units, body, subject=f"Уранбилэг {CANARY}",
                     particulars={"where": f"{CANARY} өрөө"})
    event = AuditEvent.objects.get(action="complaint.recused")
    assert event.actor_kind == "system"
    assert event.object_id == str(complaint.pk)
    details = json.loads(event.details) if isinstance(event.details, str) else event.details
    assert details == {"count": 2,
                       "users": sorted([staff["head"].pk, staff["officer"].pk]),
                       "escalated_to": "UBEG"}
    # Nothing of what was written, not even the names as written, is kept in clear.
    for action_event in AuditEvent.objects.all():
        trail = json.dumps(action_event.details, ensure_ascii=False)
        assert CANARY not in trail and "Уранбилэг" not in trail and "Тэмүүлэн" not in trail
    for row in Recusal.objects.values():
        assert CANARY not in str(row) and "Уранбилэг" not in str(row)


def test_the_recusal_is_written_in_the_same_transaction_as_the_complaint(units, personas,
                                                                         staff, monkeypatch):
    """An intake that fails at its last step leaves neither the complaint nor a recusal."""
    import intake.services

    original = intake.services.record

    def failing_record(**kwargs):
        if kwargs["action"] == "complaint.recused":
            raise RuntimeError("the audit trail is down")
        return original(**kwargs)

    monkeypatch.setattr(intake.services, "record", failing_record)
    with pytest.raises(RuntimeError):
        _letter(units, personas, "Д.Тэмүүлэн мөнгө нэхсэн.")
    assert not Complaint.objects.exists() and not Recusal.objects.exists()


# Who sees the case -------------------------------------------------------------------------

def _url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def _visit(client, page):
    name, kwargs = page[0], page[1]
    url = _url(name, **kwargs)
    if method_of(page) == "post":
        return client.post(url, POST_DATA.get(name, {}))
    return client.get(url)


@pytest.fixture
def naming_the_officer(units, personas, staff):
    return make_case(units, personas, body="Улсын байцаагч Д.Тэмүүлэн мөнгө нэхсэн.")


QUEUE = _url("intake:queue", unit_code="DG")


def test_the_named_officer_does_not_find_the_case_in_the_queue(client, signed_in, personas,
                                                               naming_the_officer):
    signed_in(personas["officer"])
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert REFERENCE not in page.content.decode()


@pytest.mark.parametrize("page", [p for p in PAGES if p[0] != "intake:queue"],
                         ids=lambda page: page[0])
def test_the_named_officer_gets_404_on_the_case_and_every_action_on_it(
        client, signed_in, personas, naming_the_officer, page):
    signed_in(personas["officer"])
    assert _visit(client, page).status_code == 404
    complaint = Complaint.objects.get()
    assert complaint.status == "new" and not complaint.notes.exists()
    assert not complaint.messages.exists()
    assert not AuditEvent.objects.filter(action="content.read").exists()


def test_the_head_still_sees_and_reads_a_case_naming_an_officer(client, signed_in, personas,
                                                                naming_the_officer):
    signed_in(personas["head"])
    assert REFERENCE in client.get(QUEUE).content.decode()
    assert client.get(_url("intake:case", **CASE)).status_code == 200
    assert client.post(_url("intake:case_read", **CASE)).status_code == 200


def test_other_complaints_stay_in_the_named_officers_queue(client, signed_in, units, personas,
                                                          naming_the_officer):
    other = _letter(units, personas, "Дараалал урт байсан.")
    signed_in(personas["officer"])
    content = client.get(QUEUE).content.decode()
    assert other.reference in content and REFERENCE not in content


def test_the_services_refuse_a_recused_person_whoever_calls_them(personas, naming_the_officer):
    with pytest.raises(PermissionDenied):
        case_read(complaint=naming_the_officer, reader=personas["officer"])
    with pytest.raises(PermissionDenied):
        case_note_add(complaint=naming_the_officer, body="Тэмдэглэл", by=personas["officer"])
    assert not AuditEvent.objects.filter(action__in=["content.read", "note.added"]).exists()


def test_visible_to_leaves_out_only_the_recused_persons_cases(personas, naming_the_officer):
    assert not Complaint.objects.visible_to(personas["officer"]).exists()
    assert list(Complaint.objects.visible_to(personas["head"])) == [naming_the_officer]


# Naming the head -----------------------------------------------------------------------------

@pytest.fixture
def naming_the_head(units, personas, staff):
    return make_case(units, personas, body="Хэлтсийн дарга Э.Уранбилэг хээл хахууль авсан.")


PARENT_CASE = {"unit_code": "UBEG", "reference": REFERENCE}
PARENT_QUEUE = _url("intake:queue", unit_code="UBEG")


def test_naming_the_head_escalates_the_case_to_the_parent_unit(units, naming_the_head):
    assert naming_the_head.escalated_to == units["UBEG"]
    assert naming_the_head.unit == units["DG"]


def test_the_named_head_gets_404_on_the_case(client, signed_in, personas, naming_the_head):
    signed_in(personas["head"])
    assert client.get(_url("intake:case", **CASE)).status_code == 404
    assert REFERENCE not in client.get(QUEUE).content.decode()


def test_the_parent_head_finds_the_escalated_case_in_their_queue_and_reads_it(
        client, signed_in, personas, naming_the_head):
    signed_in(personas["national_head"])
    queue = client.get(PARENT_QUEUE)
    assert queue.status_code == 200 and REFERENCE in queue.content.decode()
    assert client.get(_url("intake:case", **PARENT_CASE)).status_code == 200
    assert client.post(_url("intake:case_read", **PARENT_CASE)).status_code == 200
    reading = AuditEvent.objects.get(action="content.read")
    assert reading.actor_user_id == personas["national_head"].pk


def test_the_parent_head_acts_on_the_escalated_case(client, signed_in, personas,
                                                    naming_the_head):
    signed_in(personas["national_head"])
    response = client.post(_url("intake:case_note", **PARENT_CASE),
                           {"note-body": "Шалгана."})
    assert response.status_code == 302
    assert naming_the_head.notes.get().written_by == personas["national_head"]


def test_the_parent_head_does_not_see_cases_that_were_not_escalated(
        client, signed_in, units, personas, staff):
    make_case(units, personas, body="Дараалал урт байсан.")
    signed_in(personas["national_head"])
    assert REFERENCE not in client.get(PARENT_QUEUE).content.decode()
    assert client.get(_url("intake:case", **PARENT_CASE)).status_code == 404


def test_only_a_head_of_the_parent_unit_sees_what_is_escalated_to_it(
        client, signed_in, units, naming_the_head):
    parent_officer = make_staff("parent_officer", units["UBEG"], Role.OFFICER)
    signed_in(parent_officer)
    assert REFERENCE not in client.get(PARENT_QUEUE).content.decode()
    assert client.get(_url("intake:case", **PARENT_CASE)).status_code == 404


def test_for_staff_is_the_rule_the_case_pages_follow(units, personas, naming_the_head):
    """The unit's own cases; for a head of the unit, those escalated to it as well; never a
    case the person is recused from, whatever their roles."""
    def seen(user, unit, *roles):
        return list(Complaint.objects.for_staff(user, unit=units[unit], roles=set(roles)))

    assert seen(personas["national_head"], "UBEG", Role.HEAD) == [naming_the_head]
    assert seen(personas["national_head"], "UBEG", Role.OFFICER) == []
    assert seen(personas["officer"], "DG", Role.OFFICER) == [naming_the_head]
    assert seen(personas["head"], "DG", Role.HEAD, Role.OFFICER) == []  # named, so recused


def test_the_units_officers_still_handle_a_case_naming_their_head(client, signed_in,
                                                                  personas, naming_the_head):
    signed_in(personas["officer"])
    assert client.get(_url("intake:case", **CASE)).status_code == 200


def test_naming_only_an_officer_does_not_escalate(naming_the_officer):
    assert naming_the_officer.escalated_to is None
