"""Routing's actions on a case and who may use them, in the shape of
tests.org.test_access.STAFF_PAGES (url name, arguments, DG roles allowed, method).
`make_referral_case` creates what the arguments point at: the case of
tests.intake.pages_case, triaged, with referral R1 given up after failed deliveries and R2
prepared by the officer and awaiting approval; it returns the case and a second agency
(police) that a new referral may go to."""

from outbox.models import Outbox
from routing.models import Category, Referral, ReferralState
from tests.intake.pages_case import CASE, make_case
from tests.routing.helpers import approved_referral, make_agency, prepare

HANDLERS = {"officer", "head"}
HEAD = {"head"}
R1 = {**CASE, "number": "DG-2026-00001-R1"}
R2 = {**CASE, "number": "DG-2026-00001-R2"}

PAGES = [
    ("routing:triage", CASE, HANDLERS, "post"),
    ("routing:refer", CASE, HANDLERS, "post"),
    ("routing:triage_matter", CASE, HANDLERS, "post"),
    ("lifecycle:legal_hold", CASE, HEAD, "post"),
    ("routing:referral_approve", R2, HEAD, "post"),
    ("routing:referral_return", R2, HEAD, "post"),
    ("routing:referral_answer", R1, HANDLERS, "post"),
    ("routing:referral_retry", R1, HEAD, "post"),
]


def post_data(name: str, agency=None) -> dict:
    """A valid body for each action, so that an allowed person gets through."""
    if name == "routing:referral_answer":
        r1 = Referral.objects.get(reference=R1["number"])
        return {
            f"answer-{r1.pk}-kind": "acknowledgement",
            f"answer-{r1.pk}-answered_on": "2026.03.19",
            f"answer-{r1.pk}-agency_reference": "АТГ-2026/0042",
        }
    return {
        "routing:triage": {
            "triage-categories": [Category.objects.get(code="bribery").pk],
            "triage-priority": "high", "triage-reason": "Хээл хахууль нэхсэн.",
        },
        "routing:refer": {
            "refer-agency": agency.pk if agency else "",
            "refer-cover_letter": "Харьяаллын дагуу шилжүүлж байна.",
        },
        "routing:referral_return": {"return-reason": "Нотлох баримт дутуу."},
        "lifecycle:legal_hold": {"action": "place"},
    }.get(name, {})


def make_referral_case(units, personas, *, body="Бичиг хэргийн ажилтан мөнгө нэхсэн."):
    complaint = make_case(units, personas, body=body)
    agency = make_agency()
    first = approved_referral(complaint, personas["officer"], personas["head"], agency)
    Outbox.objects.of(Referral.OUTBOX_KIND, first.pk).update(state=Outbox.State.DEAD,
                                                           attempts=8)
    Referral.objects.filter(pk=first.pk).update(state=ReferralState.FAILED)
    prepare(complaint, personas["officer"], agency)
    # R2 awaits approval at the agency above, so a new referral goes to another body.
    police = make_agency("police", name_mn="Цагдаагийн газар", name_en="Police",
                         kind="police", default=False)
    return complaint, police
