"""The outreach pages and who may open them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed).

The poster is for the people who put it up: the unit's clerks, officers and heads."""

MAKERS = {"clerk", "officer", "head"}

PAGES = [
    ("outreach:poster", {"unit_code": "DG"}, MAKERS),
    ("outreach:poster_pdf", {"unit_code": "DG", "size": "A4"}, MAKERS),
]
