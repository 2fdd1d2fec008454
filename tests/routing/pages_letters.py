"""The letters pages and who may use them (shape of tests.org.test_access.STAFF_PAGES).
`make_letter_case` approves a referral of the tests.intake.pages_case case to a body that
takes referrals by post, so that letter R1 waits to be printed and sent."""

from outbox.models import Agency
from tests.intake.pages_case import make_case
from tests.routing.helpers import approved_referral, make_agency

LETTER_ROLES = {"clerk", "officer", "head"}
NUMBER = "DG-2026-00001-R1"
LETTER = {"unit_code": "DG", "number": NUMBER}

PAGES = [
    ("routing:letters", {"unit_code": "DG"}, LETTER_ROLES),
    ("routing:letter_print", LETTER, LETTER_ROLES, "post"),
    ("routing:letter_sent", LETTER, LETTER_ROLES, "post"),
]

POST_DATA = {
    "routing:letter_sent": lambda referral: {
        f"sent-{referral.pk}-letter_number": "01/342",
        f"sent-{referral.pk}-sent_on": "2026.03.20",
    },
}


def make_letter_case(units, personas, *, body="Бичиг хэргийн ажилтан мөнгө нэхсэн."):
    complaint = make_case(units, personas, body=body)
    prosecutor = make_agency(
        "prosecutor", delivery=Agency.Delivery.LETTER, kind=Agency.Kind.PROSECUTOR,
        name_mn="Аймгийн прокурорын газар", name_en="Province Prosecutor's Office",
        postal_address="Сайншанд сум, 1-р баг", default=False,
    )
    return approved_referral(complaint, personas["officer"], personas["head"], prosecutor)
