"""The operations pages and who may open them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed).

The status page shows the whole installation's figures, but it sits under a unit and follows
the unit rule: the unit's administrators only; 404 for people with no role in the unit,
403 for its other members."""

PAGES = [
    ("ops:status", {"unit_code": "DG"}, {"admin"}),
]
