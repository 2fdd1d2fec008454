"""The outreach pages and who may open them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed).

The poster is for the people who put it up: the unit's clerks, officers and heads."""

MAKERS = {"clerk", "officer", "head"}

PAGES = [
    ("outreach:poster", {"unit_code": "DG"}, MAKERS),
    ("outreach:poster_pdf", {"unit_code": "DG", "size": "A4"}, MAKERS),
    ("outreach:screen_settings", {"unit_code": "DG"}, {"head"}),
]
# The hall screen itself is public: the matrix checks it answers everyone alike.
PUBLIC_PAGES = [
    ("outreach:screen", {"unit_code": "DG"}),
    ("outreach:screen_data", {"unit_code": "DG"}),
]
