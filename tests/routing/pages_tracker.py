"""The referral tracker's URLs and who may use them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed).
`make_referral` makes what the pages list: a case, its triage and a referral in a given
state, with a canary in everything sealed so a test can show none of it leaks."""

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import translation

from intake.models import Channel, Kind
from intake.services import Content, staff_channel_log
from outbox.models import Agency
from routing.models import Referral, ReferralState
from tests.intake.pages_case import NOW, UB
from tests.routing.helpers import make_agency, prepare, triage

HANDLERS = {"officer", "head"}
CANARY = "canary-tr-9d41"

PAGES = [
    ("routing:tracker", {"unit_code": "DG"}, HANDLERS),
    ("routing:tracker_csv", {"unit_code": "DG"}, HANDLERS),
]

def tracker(unit="DG", *, language="mn"):
    with translation.override(language):
        return reverse("routing:tracker", kwargs={"unit_code": unit})


def tracker_csv(unit="DG", *, language="mn"):
    with translation.override(language):
        return reverse("routing:tracker_csv", kwargs={"unit_code": unit})


def listed(response) -> list[str]:
    return [row.referral.reference for row in response.context["rows"]]


def make_agencies() -> dict[str, Agency]:
    return {
        "atg": make_agency(),
        "police": make_agency("police", delivery=Agency.Delivery.LETTER, default=False,
                              name_mn="Цагдаагийн газар", name_en="Police",
                              kind=Agency.Kind.POLICE),
    }


def add_referrals(referral, count: int, batch: str = "A"):
    """`count` more referrals of the same case, made straight in the database: the tracker
    only reads them, and a page of them is what is measured."""
    states = [ReferralState.DELIVERED, ReferralState.PREPARED, ReferralState.ACKNOWLEDGED]
    extra = []
    for number in range(count):
        copy = Referral(
            reference=f"{referral.reference}-{batch}{number}", complaint=referral.complaint,
            unit=referral.unit, data_key=referral.complaint.data_key, agency=referral.agency,
            prepared_by=referral.prepared_by, state=states[number % 3],
            prepared_at=NOW - timedelta(hours=number + 1),
            acknowledge_expected_by=date(2026, 3, 1),
        )
        copy.cover_letter = f"{CANARY} copy"
        extra.append(copy)
    Referral.objects.bulk_create(extra)


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
