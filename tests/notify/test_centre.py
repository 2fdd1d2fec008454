"""The notification centre: each person sees and marks only their own notifications, filters
never fail, links lead only where the person may go, and the settings form refuses what it
cannot use without saving anything."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from notify.events import emit
from notify.models import Channel, Kind, Notification, Preference, Profile
from tests.notify.pages_notify import PAGES, method_of
from tests.org.test_access import PERSONAS

pytestmark = pytest.mark.django_db

CENTRE = reverse("notify:centre")
MARK_READ = reverse("notify:mark_read")
SETTINGS = reverse("notify:settings")
REFERENCE = "DG-2026-00042"


@pytest.fixture(autouse=True)
def _mongolian_first():
    """Links are compared as the pages make them: in the default language, whatever an
    earlier test left active in this thread."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def logged(units, unit="DG", reference=REFERENCE, **extra):
    return emit(Kind.COMPLAINT_LOGGED, unit=units[unit],
                subject={"complaint": 42, "reference": reference}, **extra)


def mine(user):
    return Notification.objects.filter(recipient=user)


# --- who may open the pages -----------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_every_staff_member_may_use_their_own_centre(client, personas, signed_in, persona,
                                                     page):
    signed_in(personas[persona])
    response = getattr(client, method_of(page))(reverse(page[0], kwargs=page[1]),
                                                {"all": "1"} if method_of(page) == "post" else {})
    assert response.status_code in {200, 302}


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, units, page):
    response = getattr(client, method_of(page))(reverse(page[0], kwargs=page[1]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("page", PAGES)
def test_the_second_factor_is_required(client, personas, page):
    client.force_login(personas["head"])  # password only
    response = getattr(client, method_of(page))(reverse(page[0], kwargs=page[1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:two_factor_setup")


def test_marking_read_is_never_done_by_a_get(client, personas, signed_in, units):
    logged(units)
    signed_in(personas["officer"])
    assert client.get(MARK_READ, {"all": "1"}).status_code == 405
    assert mine(personas["officer"]).unread().count() == 1


# --- the list -------------------------------------------------------------------------------

def test_the_centre_lists_only_ones_own_notifications(client, personas, signed_in, units):
    logged(units)  # officer and head of DG
    logged(units, unit="DU", reference="DU-2026-00001")  # the outsider, an officer of DU
    signed_in(personas["officer"])
    response = client.get(CENTRE)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.notification.recipient_id for row in rows] == [personas["officer"].pk]
    assert b"DU-2026-00001" not in response.content
    assert response.context["unread"] == 1


def test_a_complaint_notification_links_to_the_case_by_its_reference(
        client, personas, signed_in, units):
    logged(units)
    signed_in(personas["officer"])
    response = client.get(CENTRE)
    case = reverse("intake:case", kwargs={"unit_code": "DG", "reference": REFERENCE})
    assert f'href="{case}"'.encode() in response.content


def test_a_referral_notification_opens_its_case(client, personas, signed_in, units):
    emit(Kind.REFERRAL_FAILED, unit=units["DG"],
         subject={"complaint": 1, "reference": REFERENCE, "referral": 3,
                  "referral_reference": f"{REFERENCE}-R1"})
    signed_in(personas["head"])
    response = client.get(CENTRE)
    [row] = response.context["rows"]
    assert row.link == reverse("intake:case", args=["DG", REFERENCE])
    assert row.link_text == f"{REFERENCE}-R1"


def test_a_referral_notification_without_its_case_falls_back_to_the_tracker(
        client, personas, signed_in, units):
    emit(Kind.REFERRAL_FAILED, unit=units["DG"],
         subject={"referral": 3, "referral_reference": "DG-2026-00042-R1"})
    signed_in(personas["head"])
    response = client.get(CENTRE)
    assert f'href="{reverse("routing:tracker", args=["DG"])}"'.encode() in response.content


def test_no_link_where_the_person_may_not_go(client, personas, signed_in, units):
    # A clerk told of a complaint (named explicitly) does not handle cases.
    logged(units, roles=(), users=[personas["clerk"].pk])
    signed_in(personas["clerk"])
    response = client.get(CENTRE)
    [row] = response.context["rows"]
    assert row.link is None
    assert reverse("intake:case", args=["DG", REFERENCE]).encode() not in response.content


def test_filters_narrow_the_list(client, personas, signed_in, units):
    head = personas["head"]
    logged(units)
    emit(Kind.REFERRAL_FAILED, unit=units["DG"], subject={"referral": 3})
    emit(Kind.COMPLAINT_LOGGED, unit=units["DU"], subject={"complaint": 9}, users=[head.pk])
    mine(head).filter(kind=Kind.REFERRAL_FAILED).update(read_at="2026-03-20T10:00:00Z")
    signed_in(head)

    def kinds(**query):
        response = client.get(CENTRE, query)
        assert response.status_code == 200
        return sorted((row.notification.kind, row.notification.unit.code)
                      for row in response.context["rows"])

    assert len(kinds()) == 3
    assert kinds(unread="on") == [(Kind.COMPLAINT_LOGGED, "DG"), (Kind.COMPLAINT_LOGGED, "DU")]
    assert kinds(kind=Kind.REFERRAL_FAILED) == [(Kind.REFERRAL_FAILED, "DG")]
    assert kinds(unit="DU") == [(Kind.COMPLAINT_LOGGED, "DU")]
    assert kinds(unit="DG", kind=Kind.COMPLAINT_LOGGED) == [(Kind.COMPLAINT_LOGGED, "DG")]


@pytest.mark.parametrize("query", [
    {"kind": "nonsense"}, {"unit": "ZZ"}, {"unit": "DU"}, {"page": "x"}, {"page": "999"},
    {"kind": ["a", "b"]}, {"unread": "\x00"},
])
def test_a_filter_that_makes_no_sense_shows_nothing_and_never_fails(
        client, personas, signed_in, units, query):
    logged(units)
    signed_in(personas["officer"])
    response = client.get(CENTRE, query)
    assert response.status_code == 200


def test_a_unit_filter_offers_only_units_one_has_notifications_from(
        client, personas, signed_in, units):
    logged(units)
    signed_in(personas["officer"])
    response = client.get(CENTRE, {"unit": "DU"})
    assert response.context["rows"] == []
    assert response.context["form"].errors["unit"]


def test_the_centre_is_paginated_by_fifty(client, personas, signed_in, units):
    for number in range(55):
        logged(units, reference=f"DG-2026-{number:05d}")
    signed_in(personas["officer"])
    assert len(client.get(CENTRE).context["rows"]) == 50
    second = client.get(CENTRE, {"page": 2}).context["rows"]
    assert [row.link_text for row in second][-1] == "DG-2026-00000"  # the oldest, last


# --- marking read ---------------------------------------------------------------------------

def test_marking_one_read_changes_only_that_one(client, personas, signed_in, units):
    logged(units)
    logged(units, reference="DG-2026-00043")
    officer = personas["officer"]
    first = mine(officer).order_by("pk").first()
    signed_in(officer)
    response = client.post(MARK_READ, {"id": first.pk})
    assert response.status_code == 302 and response["Location"] == CENTRE
    assert list(mine(officer).unread().values_list("pk", flat=True)) == [
        mine(officer).order_by("pk").last().pk]


def test_someone_elses_notification_is_404_and_stays_unread(client, personas, signed_in,
                                                            units):
    logged(units)
    heads = mine(personas["head"]).get()
    signed_in(personas["officer"])
    for value in (heads.pk, 10**9, "abc", ""):
        assert client.post(MARK_READ, {"id": value}).status_code == 404
    heads.refresh_from_db()
    assert heads.read_at is None
    assert mine(personas["officer"]).unread().count() == 1


def test_marking_all_read_marks_only_ones_own(client, personas, signed_in, units):
    logged(units)
    logged(units, reference="DG-2026-00043")
    signed_in(personas["officer"])
    client.post(MARK_READ, {"all": "1"})
    assert mine(personas["officer"]).unread().count() == 0
    assert mine(personas["head"]).unread().count() == 2


# --- settings -------------------------------------------------------------------------------

def _field(channel, kind):
    return f"{channel}__{kind.replace('.', '_')}"


def defaults_posted(**changes):
    """The form as it comes, untouched: the default kinds ticked for email."""
    from notify.rules import DEFAULT_EMAIL

    data = {_field(Channel.EMAIL, kind): "on" for kind in DEFAULT_EMAIL}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_settings_page_shows_the_defaults(client, personas, signed_in):
    signed_in(personas["head"])
    response = client.get(SETTINGS)
    assert response.status_code == 200
    form = response.context["form"]
    assert form[_field(Channel.EMAIL, Kind.REFERRAL_FAILED)].value() is True
    assert form[_field(Channel.EMAIL, Kind.COMPLAINT_LOGGED)].value() is False
    assert form[_field(Channel.SMS, Kind.REFERRAL_FAILED)].value() is False
    # Every checkbox is named by its row and column for screen readers.
    assert response.content.count(b"aria-labelledby=") == 2 * len(Kind.values)


def test_saving_the_untouched_form_stores_no_preference(client, personas, signed_in):
    signed_in(personas["head"])
    response = client.post(SETTINGS, defaults_posted())
    assert response.status_code == 302
    assert not Preference.objects.exists()


def test_saving_choices_stores_them_and_says_so(client, personas, signed_in):
    head = personas["head"]
    signed_in(head)
    response = client.post(SETTINGS, defaults_posted(**{
        _field(Channel.EMAIL, Kind.REFERRAL_FAILED): None,
        _field(Channel.EMAIL, Kind.COMPLAINT_LOGGED): "on",
        _field(Channel.SMS, Kind.CLOCK_OVERDUE): "on",
        "sms_number": "9911 2233", "daily_digest": "on",
    }), follow=True)
    assert list(response.context["messages"])
    assert set(Preference.objects.filter(user=head).values_list("kind", "channel", "enabled")) == {
        (Kind.REFERRAL_FAILED, Channel.EMAIL, False),
        (Kind.COMPLAINT_LOGGED, Channel.EMAIL, True),
        (Kind.CLOCK_OVERDUE, Channel.SMS, True),
    }
    profile = Profile.objects.get(user=head)
    assert (profile.sms_number, profile.daily_digest) == ("+97699112233", True)
    # Back to the default: the row goes, so later changes to the defaults apply again.
    client.post(SETTINGS, defaults_posted(**{"sms_number": "99112233"}))
    assert not Preference.objects.filter(user=head).exists()


INVALID = ("This is not a valid phone number. Mongolian numbers have 8 digits; foreign numbers "
           "start with + and the country code.")


@pytest.mark.parametrize(("posted", "message"), [
    ({"sms_number": "12"}, INVALID),
    ({"sms_number": "my number is 99112233"}, INVALID),
    ({_field(Channel.SMS, Kind.CLOCK_OVERDUE): "on"},
     "Give a mobile number to receive text messages."),
    ({"sms_number": "7052 2200"}, "Text messages need a mobile number."),
])
def test_a_refused_setting_says_why_in_the_users_language_and_saves_nothing(
        client, personas, signed_in, posted, message):
    head = personas["head"]
    signed_in(head)
    for language, url in (("mn", SETTINGS), ("en", "/en" + SETTINGS)):
        response = client.post(url, defaults_posted(
            **{_field(Channel.EMAIL, Kind.COMPLAINT_LOGGED): "on", "daily_digest": "on",
               **posted}))
        assert response.status_code == 200
        errors = response.context["form"].errors["sms_number"]
        with translation.override(language):
            assert errors == [translation.gettext(message)]
        assert 'role="alert"' in response.content.decode()
    assert not Preference.objects.exists()
    assert not Profile.objects.exists()
