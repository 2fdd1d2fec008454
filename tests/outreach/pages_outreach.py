"""The outreach pages and who may open them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed).

The poster is for the people who put it up: the unit's clerks, officers and heads."""

MAKERS = {"clerk", "officer", "head"}

PAGES = [
    ("outreach:poster", {"unit_code": "DG"}, MAKERS),
    ("outreach:poster_pdf", {"unit_code": "DG", "size": "A4"}, MAKERS),
    ("outreach:screen_settings", {"unit_code": "DG"}, {"head"}),
    ("outreach:said_list", {"unit_code": "DG"}, {"officer", "head"}),
    ("outreach:said_print", {"unit_code": "DG"}, MAKERS),
    # The matrix's case is open, so writing is refused (409) to those let in.
    ("outreach:said_write", {"unit_code": "DG", "reference": "DG-2026-00001"},
     {"officer", "head"}),
    ("outreach:said_approve", {"unit_code": "DG", "reference": "DG-2026-00001"}, {"head"},
     "post"),
    ("outreach:said_withdraw", {"unit_code": "DG", "reference": "DG-2026-00001"}, {"head"},
     "post"),
]
# The hall screen itself is public: the matrix checks it answers everyone alike.
PUBLIC_PAGES = [
    ("outreach:screen", {"unit_code": "DG"}),
    ("outreach:screen_data", {"unit_code": "DG"}),
]
