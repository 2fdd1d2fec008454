"""The notification centre's URLs and who may use them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, the DG roles allowed), with the
method appended for POST-only URLs. They are personal pages, tied to no unit: anyone on the
staff may open them, and each shows only its own user's notifications."""

PAGES = [
    ("notify:centre", {}, "any_staff"),
    ("notify:settings", {}, "any_staff"),
    ("notify:mark_read", {}, "any_staff", "post"),
]


def method_of(page) -> str:
    return page[3] if len(page) > 3 else "get"
