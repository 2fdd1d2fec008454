"""The authorization matrix's websocket half: who the notification socket admits, and that
it tells no one of another unit or of a case they are recused from. These run on committed
data (the socket's consumer reads from another thread), so they live apart from the matrix,
whose tests share one world inside a transaction (tests/shared_data.py)."""

import pytest

from tests.security.test_authz_matrix import PERSONAS

pytestmark = pytest.mark.usefixtures("at_matrix_time")


def _socket_people(personas, units):
    """The personas, the unverified head, and a DG officer recused from a DG case."""
    from intake.models import Recusal
    from tests.conftest import make_staff
    from tests.notify.test_consumer import complaint_with_canary

    dg_case = complaint_with_canary(units["DG"])
    recused = make_staff("recused", units["DG"], "officer")
    Recusal.objects.create(complaint=dg_case, user=recused)
    return {**personas, "recused": recused}, dg_case


@pytest.mark.django_db(transaction=True)
def test_the_websocket_admits_only_the_units_verified_staff(personas, units):
    from asgiref.sync import async_to_sync

    from notify import consumers
    from tests.notify.test_consumer import refusal, session_cookie

    people, _case = _socket_people(personas, units)
    expected_codes = {"anonymous": consumers.NOT_SIGNED_IN,
                      "unverified": consumers.NOT_SIGNED_IN,
                      "outsider": consumers.NO_SUCH_UNIT,
                      "national_head": consumers.NO_SUCH_UNIT}
    found = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            cookie = None
        elif persona == "unverified":
            cookie = session_cookie(people["head"], second_factor=False)
        else:
            cookie = session_cookie(people[persona])
        found[persona] = async_to_sync(refusal)(cookie, "?unit=DG")
    assert found == {persona: expected_codes.get(persona) for persona in PERSONAS}


@pytest.mark.django_db(transaction=True)
def test_the_websocket_tells_no_one_of_another_unit_or_of_a_case_they_are_recused_from(
    personas, units, settings
):
    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async

    from intake.models import Channel, Kind
    from intake.services import Content, staff_channel_log
    from notify.models import Kind as Notice
    from notify.models import Notification
    from tests.notify.test_consumer import (
        WAIT,
        committed_emit,
        frames,
        ids_of,
        session_cookie,
        socket,
    )

    settings.NOTIFY_POLL_SECONDS = 0.1  # the layer and the database path both deliver
    people, dg_case = _socket_people(personas, units)
    du_case = staff_channel_log(
        unit=units["DU"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
        received_at=dg_case.received_at, content=Content(body="Дундговийн гомдол."),
        logged_by=personas["outsider"],
    ).complaint
    listeners = ["officer", "head", "recused", "outsider", "national_head", "clerk"]
    cookies = {persona: session_cookie(people[persona]) for persona in listeners}

    async def scenario():
        sockets = {persona: socket(cookie) for persona, cookie in cookies.items()}
        for communicator in sockets.values():
            assert (await communicator.connect(timeout=WAIT))[0]
        made = [
            await database_sync_to_async(committed_emit)(Notice.REPORTER_MESSAGE,
                                                         units["DG"], dg_case),
            await database_sync_to_async(committed_emit)(Notice.REPORTER_MESSAGE,
                                                         units["DU"], du_case),
        ]
        heard = {persona: await frames(communicator)
                 for persona, communicator in sockets.items()}
        for communicator in sockets.values():
            await communicator.disconnect()
        return made, heard

    (dg_event, du_event), heard = async_to_sync(scenario)()
    told = {persona: set(ids_of(frames_)) for persona, frames_ in heard.items()}
    about_dg = set(Notification.objects.filter(event=dg_event).values_list("pk", flat=True))
    about_du = set(Notification.objects.filter(event=du_event).values_list("pk", flat=True))
    # The DG case's notice reaches DG's handlers, so the silence below is about who, not
    # about a socket that hears nothing at all.
    assert told["officer"] and told["officer"] <= about_dg
    assert told["head"] <= about_dg and told["head"]
    assert told["recused"] == set()
    assert told["outsider"] <= about_du and told["outsider"]
    for persona in ("national_head", "clerk"):
        assert told[persona] <= about_dg, persona  # never anything of DU
    for persona, frames_ in heard.items():
        for frame in frames_:
            assert frame["type"] in ("notification", "unread"), persona
