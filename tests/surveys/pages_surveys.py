"""The surveys' staff URLs and who may use them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, who may), with the method
appended for POST-only URLs. The heads of the units above read a unit's surveys, so
`national_head` (head of UBEG, above DG) is among the readers and is refused with 403, not
404, where only DG's clerk may act.

The security world (tests/security/conftest.py) gives DG round 2026-1 with `make_round`.
"""

from datetime import date

from tests.surveys.helpers import choice_ids, open_round

READERS = {"clerk", "officer", "head", "auditor", "national_head"}
WRITERS = {"clerk"}

ON_ROUND = {"unit_code": "DG", "year": 2026, "round_no": 1}

PAGES = [
    ("surveys:index", {"unit_code": "DG"}, READERS),
    ("surveys:year", {"unit_code": "DG", "year": 2026}, READERS),
    ("surveys:round", ON_ROUND, READERS),
    ("surveys:open", {"unit_code": "DG"}, WRITERS, "post"),
    ("surveys:tally", ON_ROUND, WRITERS, "post"),
]


def make_round(unit, clerk):
    """DG's round 2026-1: October to December 2026, open at the matrix's time."""
    return open_round(unit, clerk, date(2026, 10, 1), date(2026, 12, 31))


def post_data(name: str) -> dict:
    from surveys.models import Round

    if name == "surveys:open":
        return {"first_day": "2027.01.01", "last_day": "2027.03.31"}
    survey = Round.objects.get(unit__code="DG", year=2026, number=1)
    ids = choice_ids(survey)
    return {"forms": "10", f"c{ids['got']}": "7", f"c{ids['advice']}": "3",
            f"c{ids['website']}": "10"}


def reverse_page(name: str, kwargs: dict, language: str = "mn") -> str:
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        return reverse(name, kwargs=kwargs)
