"""The referral tracker's URLs and who may use them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed).
`make_referral` makes what the pages list: a case, its triage and a referral in a given
state, with a canary in everything sealed so a test can show none of it leaks."""

from datetime import datetime

from intake.models import Channel, Kind
from intake.services import Content, staff_channel_log
from routing.models import Referral
from tests.intake.pages_case import UB
from tests.routing.helpers import prepare, triage

HANDLERS = {"officer", "head"}
CANARY = "canary-tr-9d41"

PAGES = [
    ("routing:tracker", {"unit_code": "DG"}, HANDLERS),
    ("routing:tracker_csv", {"unit_code": "DG"}, HANDLERS),
]

def day(month, number, hour=10) -> datetime:
    return datetime(2026, month, number, hour, tzinfo=UB)


def make_referral(unit, clerk, officer, agency, *, received, state=None, **fields) -> Referral:
    """A letter received by `unit` on `received`, triaged as bribery by `officer` and
    referred to `agency`; then put in `state` with `fields` (approved_at, agency_reference,
    acknowledge_expected_by, …) as the workflows would have left it. The states after
    preparation are set directly: the tracker reads them, it does not move them."""
    complaint = staff_channel_log(
        unit=unit, channel=Channel.LETTER, kind=Kind.COMPLAINT, received_at=received,
        content=Content(body=f"{CANARY} хээл хахууль авсан", subject=f"{CANARY} subject",
                        reporter={"name": f"{CANARY} name"}),
        logged_by=clerk,
    ).complaint
    triage(complaint, officer, reason=f"{CANARY} reason")
    referral = prepare(complaint, officer, agency, cover_letter=f"{CANARY} cover letter",
                       redactions=f"{CANARY} redaction")
    prepared_at = fields.pop("prepared_at", received)
    changes = {"prepared_at": prepared_at, **fields}
    if state is not None:
        changes["state"] = state
    Referral.objects.filter(pk=referral.pk).update(**changes)
    referral.refresh_from_db()
    return referral
