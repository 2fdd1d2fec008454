"""Who may open which staff page. Later work adds its pages to STAFF_PAGES.

Anonymous people are sent to sign in; people with no role in the unit get 404 (the unit's
pages do not confirm what exists); members whose role is not allowed get 403.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from org.access import unit_and_roles
from org.models import Membership, Unit

pytestmark = pytest.mark.django_db

EVERY_ROLE = {"clerk", "officer", "head", "auditor", "admin"}
PERSONAS = [*sorted(EVERY_ROLE), "outsider", "national_head"]

# url name, its arguments, the roles of the DG department that may open it.
STAFF_PAGES = [
    ("org:home", {}, "any_staff"),
    ("org:unit_home", {"unit_code": "DG"}, EVERY_ROLE),
    ("org:people", {"unit_code": "DG"}, {"head", "admin"}),
    ("audit:events", {"unit_code": "DG"}, {"auditor"}),
    ("audit:verify", {"unit_code": "DG"}, {"auditor"}),
]

# Pages that anyone may reach by design (sign-in itself, or a redirect for the signed-out).
OPEN_BY_DESIGN = {"org:login", "org:logout", "org:two_factor_setup"}


def expected_status(persona, allowed):
    if allowed == "any_staff":
        return {200, 302}
    if persona in allowed:
        return {200}
    if persona in ("outsider", "national_head"):
        return {404}
    return {403}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "allowed"), STAFF_PAGES)
def test_staff_pages_refuse_the_wrong_role_and_the_wrong_unit(
    client, personas, signed_in, persona, name, kwargs, allowed
):
    signed_in(personas[persona])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code in expected_status(persona, allowed), (persona, name)


def test_a_closed_unit_and_an_ended_role_open_no_page(client, personas, signed_in):
    head, home = personas["head"], reverse("org:unit_home", kwargs={"unit_code": "DG"})
    signed_in(head)
    assert client.get(home).status_code == 200
    Unit.objects.filter(code="DG").update(is_active=False)
    assert client.get(home).status_code == 404
    Unit.objects.filter(code="DG").update(is_active=True)
    Membership.objects.filter(user=head, unit__code="DG").update(is_active=False)
    assert client.get(home).status_code == 404


def test_the_unit_and_the_roles_in_it_take_one_query(personas):
    clerk = personas["clerk"]
    with CaptureQueriesContext(connection) as captured:
        unit, held = unit_and_roles(clerk, "DG")
        assert unit.code == "DG" and unit.name  # the unit's own columns came with it
    assert held == {"clerk"} and len(captured) == 1
    assert unit_and_roles(clerk, "NOSUCH") == (None, set())
    assert unit_and_roles(personas["outsider"], "DG") == (None, set())


@pytest.mark.parametrize(("name", "kwargs", "allowed"), STAFF_PAGES)
def test_staff_pages_send_anonymous_visitors_to_sign_in(client, units, name, kwargs, allowed):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize(("name", "kwargs", "allowed"), STAFF_PAGES)
def test_staff_pages_require_the_second_factor(client, personas, name, kwargs, allowed):
    client.force_login(personas["head"])  # password only, no verified device
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:two_factor_setup")


def test_an_unknown_unit_looks_the_same_as_a_foreign_one(client, personas, signed_in):
    signed_in(personas["clerk"])
    assert client.get(reverse("org:unit_home", args=["ZZ"])).status_code == 404
    assert client.get(reverse("org:unit_home", args=["DU"])).status_code == 404


def test_the_admin_site_is_only_for_administrators_with_a_second_factor(
    client, personas, signed_in
):
    for persona in ("clerk", "officer", "head", "auditor", "outsider"):
        client.logout()
        signed_in(personas[persona])
        response = client.get("/admin/")
        assert response.status_code == 302, persona
    client.logout()
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 302  # no second factor yet
    signed_in(admin)
    assert client.get("/admin/").status_code == 200


def named_staff_routes():
    """Every named URL under /staff/, found from the URL configuration itself."""
    names = set()

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, ns, route)
            elif isinstance(pattern, URLPattern) and pattern.name and "staff/" in route:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None, "")
    return names


def test_every_staff_route_is_in_the_access_table():
    # Intake and routing keep their tables beside their own tests, which run every persona
    # against them.
    from tests.intake import pages_case, pages_channels
    from tests.notify import pages_notify
    from tests.ops import pages_ops
    from tests.outreach import pages_outreach
    from tests.plans import pages_plans
    from tests.reporting import pages_reporting
    from tests.routing import pages_letters, pages_referral, pages_tracker
    from tests.surveys import pages_surveys

    tables = [STAFF_PAGES, pages_channels.PAGES, pages_case.PAGES, pages_tracker.PAGES,
              pages_referral.PAGES, pages_letters.PAGES, pages_notify.PAGES,
              pages_reporting.PAGES, pages_ops.PAGES, pages_outreach.PAGES,
              pages_surveys.PAGES, pages_plans.PAGES]
    covered = {page[0] for table in tables for page in table} | OPEN_BY_DESIGN
    assert named_staff_routes() - covered == set()
