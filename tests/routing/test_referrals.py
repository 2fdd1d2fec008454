"""Preparing and approving referrals: the two-person rule, recusal, the package and its
hash, the outbox written with the approval, and the agency's answers entered by staff."""

import hashlib
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from audit.services import verify_chain
from intake.models import Recusal, Status
from outbox.models import Outbox
from outbox.services import package_context
from routing.models import AgencyAnswer, Referral, ReferralState
from routing.package import REDACTED
from routing.services import answer_record, referral_approve, referral_return
from tests.intake.pages_case import NOW, make_case
from tests.routing.helpers import make_agency, prepare, triage
from vault.files import open_encrypted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def case(units, personas):
    return make_case(units, personas,
                     body="Б.Дорж гэрчилгээ олгохдоо 50000 төгрөг хээл хахууль авсан.")


@pytest.fixture
def agency(db):
    return make_agency()


def _package(outbox: Outbox) -> dict:
    referral = Referral.objects.get(pk=outbox.subject_id)
    data = b"".join(open_encrypted(outbox.package_name, data_key=outbox.data_key,
                                   context=package_context(referral.reference)))
    assert hashlib.sha256(data).hexdigest() == outbox.package_sha256
    return json.loads(data)


def test_officer_prepares_and_another_person_the_head_approves(case, personas, agency):
    referral = prepare(case, personas["officer"], agency, redactions="Б.Дорж")
    assert referral.state == ReferralState.PREPARED
    assert referral.reference == "DG-2026-00001-R1"
    with pytest.raises(PermissionDenied):
        referral_approve(referral=referral, by=personas["officer"])

    referral = referral_approve(referral=referral, by=personas["head"])
    assert referral.state == ReferralState.APPROVED
    case.refresh_from_db()
    assert case.status == Status.REFERRED
    outbox = referral.outbox
    assert outbox.state == Outbox.State.PENDING
    assert referral.package_sha256 == outbox.package_sha256
    sent = _package(outbox)
    assert sent["complaint"]["reference"] == case.reference
    assert "Б.Дорж" not in sent["complaint"]["body"] and REDACTED in sent["complaint"]["body"]
    assert "reporter" not in sent["complaint"]
    assert sent["complaint"]["categories"] == ["bribery"]
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert {"complaint.triaged", "referral.prepared", "referral.approved"} <= set(actions)
    assert verify_chain().ok


def test_a_head_who_prepared_cannot_approve_their_own(case, personas, agency):
    referral = prepare(case, personas["head"], agency)
    with pytest.raises(PermissionDenied):
        referral_approve(referral=referral, by=personas["head"])
    assert Referral.objects.get().state == ReferralState.PREPARED
    assert not Outbox.objects.exists()


def test_a_clerk_neither_triages_nor_prepares(case, personas, agency):
    with pytest.raises(PermissionDenied):
        triage(case, personas["clerk"])
    triage(case, personas["officer"])
    with pytest.raises(PermissionDenied):
        prepare(case, personas["clerk"], agency)


def test_an_officer_cannot_approve(case, personas, agency, units):
    from tests.conftest import make_staff

    second = make_staff("second_officer", units["DG"], "officer")
    referral = prepare(case, personas["officer"], agency)
    with pytest.raises(PermissionDenied):
        referral_approve(referral=referral, by=second)


def test_recused_staff_cannot_touch_the_referral(case, personas, agency):
    referral = prepare(case, personas["officer"], agency)
    Recusal.objects.create(complaint=case, user=personas["head"])
    with pytest.raises(PermissionDenied):
        referral_approve(referral=referral, by=personas["head"])


def test_returned_referral_cannot_be_approved(case, personas, agency):
    referral = prepare(case, personas["officer"], agency)
    referral_return(referral=referral, by=personas["head"], reason="Нотлох баримт дутуу.")
    with pytest.raises(ValidationError):
        referral_approve(referral=referral, by=personas["head"])


def test_referral_needs_a_triage_decision_first(case, personas, agency):
    from routing.services import referral_prepare

    with pytest.raises(ValidationError):
        referral_prepare(complaint=case, by=personas["officer"], agency=agency,
                         cover_letter="Шилжүүлж байна.")


def test_staff_enter_the_agency_answers(case, personas, agency):
    referral = referral_approve(referral=prepare(case, personas["officer"], agency),
                                by=personas["head"])
    answer, new = answer_record(referral=referral, kind=AgencyAnswer.Kind.ACKNOWLEDGEMENT,
                                answered_on=NOW.date(), by=personas["clerk"],
                                agency_reference="АТГ-2026/118")
    assert new
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACKNOWLEDGED
    assert referral.agency_reference == "АТГ-2026/118"
    answer_record(referral=referral, kind=AgencyAnswer.Kind.OUTCOME, answered_on=NOW.date(),
                  by=personas["officer"], text="Шалгалт дууссан, сахилгын шийтгэл.")
    referral.refresh_from_db()
    assert referral.state == ReferralState.CONCLUDED
    assert referral.answers.count() == 2
    assert verify_chain().ok


def test_a_callback_repeated_is_kept_once(case, personas, agency):
    referral = referral_approve(referral=prepare(case, personas["officer"], agency),
                                by=personas["head"])
    first, new = answer_record(referral=referral, kind="acknowledgement",
                               answered_on=NOW.date(), event_id="evt-1")
    again, new_again = answer_record(referral=referral, kind="acknowledgement",
                                     answered_on=NOW.date(), event_id="evt-1")
    assert new and not new_again and first.pk == again.pk
