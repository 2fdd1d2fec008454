import base64
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from org.models import Role
from tests.conftest import PASSWORD, make_staff

pytestmark = pytest.mark.django_db


def current_code(user):
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def log_in(client, user, *, password=PASSWORD, code=None, follow=False):
    return client.post(
        reverse("org:login"),
        {"username": user.username, "password": password,
         "otp_token": current_code(user) if code is None else code},
        follow=follow,
    )


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_logs_in_with_second_factor_and_lands_on_its_unit_home(client, personas, role):
    user = personas[role]
    response = log_in(client, user, follow=True)
    assert response.redirect_chain[-1][0] == reverse("org:unit_home", args=["DG"])
    assert response.status_code == 200
    assert response.wsgi_request.user.is_verified()
    assert Role(role).label in [str(r.label) for r in response.context["roles"]]


def test_wrong_code_is_refused_and_nobody_is_signed_in(client, personas):
    response = log_in(client, personas["clerk"], code="000000")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].non_field_errors()


def test_missing_code_is_refused_for_someone_with_an_authenticator(client, personas):
    response = log_in(client, personas["clerk"], code="")
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_wrong_password_is_refused_with_a_translated_message(client, personas):
    response = log_in(client, personas["clerk"], password="nope")
    assert "_auth_user_id" not in client.session
    assert "Нэвтрэх нэр эсвэл нууц үг буруу" in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, personas):
    user = personas["officer"]
    for _ in range(5):
        log_in(client, user, password="wrong password")
    response = log_in(client, user)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_lockout(client, personas):
    user = personas["head"]
    for _ in range(5):
        log_in(client, user, code="123456")
    response = log_in(client, user)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_account_does_not_lock_another(client, personas):
    for _ in range(5):
        log_in(client, personas["officer"], password="wrong password")
    response = log_in(client, personas["clerk"], follow=True)
    assert response.wsgi_request.user == personas["clerk"]


def test_first_sign_in_without_authenticator_must_set_one_up(client, units):
    newcomer = make_staff("newcomer", units["DG"], Role.CLERK, with_device=False)
    response = client.post(
        reverse("org:login"), {"username": "newcomer", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("org:two_factor_setup")
    # Until the device is confirmed, staff pages send the person back to set-up.
    page = client.get(reverse("org:unit_home", args=["DG"]))
    assert page.status_code == 302 and page["Location"] == reverse("org:two_factor_setup")

    # Showing the page wrote nothing; the wrong code below is counted on a saved device.
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert response.context["secret"] and response.context["qr"].startswith("data:image/svg")
    client.post(reverse("org:two_factor_setup"), {"otp_token": "000000"})
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    assert base64.b32encode(device.bin_key).decode() == response.context["secret"]

    # A wrong code slows the next try down (throttling); a person waits a few seconds.
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
        client.post(reverse("org:two_factor_setup"), {"otp_token": code})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("org:unit_home", args=["DG"])).status_code == 200


def test_the_set_up_page_writes_nothing_and_shows_the_same_key_until_confirmed(client, units):
    newcomer = make_staff("newcomer", units["DG"], Role.CLERK, with_device=False)
    client.post(reverse("org:login"), {"username": "newcomer", "password": PASSWORD})
    first = client.get(reverse("org:two_factor_setup"))
    again = client.get(reverse("org:two_factor_setup"))
    assert first.status_code == again.status_code == 200
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert first.context["secret"] == again.context["secret"]

    # The key shown is the one the confirming code is checked against, and then kept.
    key = base64.b32decode(first.context["secret"])
    code = f"{totp(key, 30, 0, 6, 0):06d}"
    response = client.post(reverse("org:two_factor_setup"), {"otp_token": code})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=newcomer)
    assert device.confirmed and device.bin_key == key


def test_another_person_gets_another_key(client, units):
    one = make_staff("newcomer", units["DG"], Role.CLERK, with_device=False)
    two = make_staff("newcomer2", units["DG"], Role.CLERK, with_device=False)
    secrets = set()
    for person in (one, two):
        client.post(reverse("org:login"), {"username": person.username, "password": PASSWORD})
        secrets.add(client.get(reverse("org:two_factor_setup")).context["secret"])
        client.post(reverse("org:logout"))
    assert len(secrets) == 2


def test_logout_by_get_does_nothing(client, personas, signed_in):
    signed_in(personas["clerk"])
    response = client.get(reverse("org:logout"))
    assert response.status_code == 405
    assert client.get(reverse("org:unit_home", args=["DG"])).status_code == 200


def test_logout_by_post_ends_the_session(client, personas, signed_in):
    signed_in(personas["clerk"])
    response = client.post(reverse("org:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("org:unit_home", args=["DG"])).status_code == 302


def test_sessions_end_after_idle_time(settings, client, personas, signed_in):
    """Each request keeps a session going for 30 more minutes (less at most the minute
    between renewals); 30 minutes without one end it."""
    home = reverse("org:unit_home", args=["DG"])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        signed_in(personas["clerk"])
        for minutes in (25, 50, 75):  # each within 30 minutes of the last
            clock.move_to(start + timedelta(minutes=minutes))
            assert client.get(home).status_code == 200, minutes
        clock.move_to(start + timedelta(minutes=75 + 30, seconds=1))
        response = client.get(home)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_session_is_written_at_most_once_a_minute(settings, client, personas, signed_in):
    """Renewing the idle window is a write; a page opened within a minute of the last
    renewal (signing in is one) does not write the session again."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes(at) -> int:
        clock.move_to(at)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(home).status_code == 200
        table = Session._meta.db_table
        return sum(1 for query in captured
                   if query["sql"].startswith(("UPDATE", "INSERT")) and table in query["sql"])

    home = reverse("org:unit_home", args=["DG"])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        signed_in(personas["clerk"])
        expires = Session.objects.get().expire_date  # as signing in left it
        assert session_writes(start + timedelta(seconds=1)) == 0
        assert session_writes(start + timedelta(seconds=59)) == 0
        assert Session.objects.get().expire_date == expires
        assert session_writes(start + timedelta(seconds=60)) == 1
        assert Session.objects.get().expire_date == expires + timedelta(seconds=60)
        assert session_writes(start + timedelta(seconds=90)) == 0
    assert settings.SESSION_RENEW_SECONDS == 60 and not settings.SESSION_SAVE_EVERY_REQUEST
