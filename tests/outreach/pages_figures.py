"""The open figures' pages: public, no sign-in; the matrix checks they answer everyone
alike."""

PUBLIC_PAGES = [
    ("open:index", {}),
    ("open:unit", {"unit_code": "DG"}),
    ("open:csv", {"unit_code": "DG"}),
    ("open:json", {"unit_code": "DG"}),
]
