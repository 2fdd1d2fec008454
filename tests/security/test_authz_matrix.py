"""The authorization matrix: every route the site has, every kind of person, and what each
may get. The expected access comes from the apps' own page tables (tests/*/pages_*.py and
tests.org.test_access.STAFF_PAGES); what they do not list (public pages, the agency API,
health, the admin) is listed here. A route found in the URL configuration with no rule
fails `test_every_route_has_an_access_rule`.

Conventions the apps keep (org.access): the signed-out are sent to sign in, the signed-in
without their second factor to set it up, someone with no role in the unit gets 404, a
member whose role is not allowed 403, and someone recused from the case a URL names 404.
The monthly reports are read by the units above, which are refused with 403 where only the
unit itself may act (tests.reporting.pages_reporting).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.admin import site as admin_site
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from config.routing import websocket_urlpatterns
from tests.intake import pages_case, pages_channels
from tests.notify import pages_notify
from tests.ops import pages_ops
from tests.org.test_access import STAFF_PAGES
from tests.outreach import pages_figures, pages_outreach
from tests.plans import pages_plans
from tests.reporting import pages_reporting
from tests.routing import pages_letters, pages_referral, pages_tracker
from tests.security.conftest import MATRIX_NOW, world_records
from tests.security.helpers import audit_length, body_of, client_for, rolled_back, states
from tests.shared_data import shared_records
from tests.surveys import pages_surveys

# Every test starts from the one world, built once for the module (tests/shared_data.py).
_records, _built, units, personas, world = shared_records(
    world_records, keys=["world"], at=MATRIX_NOW)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_records", "at_matrix_time")]

ANY_STAFF = "any_staff"
PUBLIC = "public"
ALLOWED = "allowed"
LOGIN = "login"
SECOND_FACTOR = "second_factor"

ROLES = ["clerk", "officer", "head", "auditor", "admin"]
PERSONAS = ["anonymous", "unverified", *ROLES, "outsider", "national_head", "recused"]
# What a route expects of each persona is one of: ALLOWED (anything but a refusal or a
# server error), LOGIN, SECOND_FACTOR, or a status code.


@dataclass(frozen=True)
class Rule:
    name: str
    kwargs: object  # dict, or a callable given the World
    allowed: object  # a set of DG roles (national_head included where reports go up),
    #                  ANY_STAFF, PUBLIC, or a dict persona -> expected for special routes
    method: str = "get"
    post_data: object = None  # callable(world) -> a valid body, for POST-only routes
    reports_go_up: bool = False

    def url(self, world, language="mn", **overrides) -> str:
        kwargs = self.kwargs(world) if callable(self.kwargs) else dict(self.kwargs)
        kwargs.update(overrides)
        with translation.override(language):
            return reverse(self.name, kwargs=kwargs)

    def names_the_case(self, world) -> bool:
        """Whether the URL names a case the recused officer is recused from."""
        kwargs = self.kwargs(world) if callable(self.kwargs) else self.kwargs
        case_of_referral = str(kwargs.get("number", "")).rsplit("-R", 1)[0]
        return (kwargs.get("reference") in world.recused_from
                or case_of_referral in world.recused_from
                or kwargs.get("complaint_id") == world.dg.complaint_id)


def _method(page) -> str:
    return page[3] if len(page) > 3 else "get"


def _channels_kwargs(kwargs):
    if not callable(kwargs):
        return kwargs
    return lambda world: kwargs({"opening": world.dg.opening_id,
                                 "complaint": world.dg.complaint_id})


def _letters_kwargs(kwargs):
    """The tables' letter is the world's DG letter (its number differs: R1 of the second
    case, the first being referred by API)."""
    if "number" not in kwargs:
        return kwargs
    return lambda world: {**kwargs, "number": world.dg.letter}


def _letters_data(name):
    make = pages_letters.POST_DATA.get(name)
    if make is None:
        return None
    from routing.models import Referral

    return lambda world: make(Referral.objects.get(reference=world.dg.letter))


def _table_rules() -> list[Rule]:
    rules = []
    for page in STAFF_PAGES + pages_tracker.PAGES + pages_ops.PAGES + pages_outreach.PAGES:
        rules.append(Rule(page[0], page[1], page[2], _method(page)))
    for page in pages_notify.PAGES:
        rules.append(Rule(page[0], page[1], page[2], _method(page),
                          post_data=lambda world: {"all": "1"}))
    for page in pages_channels.PAGES:
        rules.append(Rule(page[0], _channels_kwargs(page[1]), page[2], _method(page)))
    for page in pages_case.PAGES:
        data = pages_case.POST_DATA.get(page[0], {})
        rules.append(Rule(page[0], page[1], page[2], _method(page),
                          post_data=lambda world, data=data: data))
    for page in pages_referral.PAGES:
        rules.append(Rule(page[0], page[1], page[2], _method(page),
                          post_data=lambda world, name=page[0]: pages_referral.post_data(
                              name, world.police)))
    for page in pages_letters.PAGES:
        rules.append(Rule(page[0], _letters_kwargs(page[1]), page[2], _method(page),
                          post_data=_letters_data(page[0])))
    for page in pages_reporting.PAGES:
        rules.append(Rule(page[0], page[1], page[2], _method(page),
                          post_data=lambda world, name=page[0]: pages_reporting.post_data(name),
                          reports_go_up=True))
    for page in pages_surveys.PAGES:  # read by the heads above, like the reports
        rules.append(Rule(page[0], page[1], page[2], _method(page),
                          post_data=lambda world, name=page[0]: pages_surveys.post_data(name),
                          reports_go_up=True))
    for page in pages_plans.PAGES:
        rules.append(Rule(page[0], page[1], page[2], _method(page),
                          post_data=lambda world, name=page[0]: pages_plans.post_data(name),
                          reports_go_up=True))
    return rules


EVERYONE = {persona: ALLOWED for persona in PERSONAS}
SIGNED_IN_ONLY = {**EVERYONE, "anonymous": LOGIN}

# Routes no page table lists: the public site, health, the agency's machine API, sign-in.
EXTRA_RULES = [
    Rule("landing", {}, PUBLIC),
    Rule("healthz", {}, PUBLIC),
    Rule("favicon", {}, PUBLIC),
    Rule("intake:report", {}, PUBLIC),
    Rule("intake:track", {}, PUBLIC),
    *(Rule(name, kwargs, PUBLIC) for name, kwargs in pages_outreach.PUBLIC_PAGES),
    *(Rule(name, kwargs, PUBLIC) for name, kwargs in pages_figures.PUBLIC_PAGES),
    # Without SHUGEL_PUBLIC_URL (as in the matrix's world) the QR code has no address.
    Rule("outreach:screen_qr", {"unit_code": "DG"}, {persona: 404 for persona in PERSONAS}),
    # GET only sends to /track/; the POST needs a signed receipt page (test_receipt_page).
    Rule("intake:receipt", {}, PUBLIC),
    # GET only sends back to /track/; the POST needs a receipt (tests/intake/test_tracking).
    Rule("intake:track_message", {}, PUBLIC),
    # The citizen's survey (a round of DG's is open at the matrix's time) and its thanks.
    Rule("surveys:answer", {"unit_code": "DG"}, PUBLIC),
    Rule("surveys:thanks", {"unit_code": "DG"}, PUBLIC),
    # Signed requests only: a browser's session counts for nothing.
    Rule("agency_api:answers", {"agency_code": "atg"},
         {persona: 401 for persona in PERSONAS}, "post", post_data=lambda world: {}),
    Rule("org:login", {}, EVERYONE),
    Rule("org:two_factor_setup", {}, SIGNED_IN_ONLY),
    # Django's LogoutView takes POST only; the POST itself signs out whoever sends it.
    Rule("org:logout", {}, {persona: 405 for persona in PERSONAS}),
]

RULES = _table_rules() + EXTRA_RULES
# Never POSTed in the matrix: it would sign the persona out for the rest of the run.
SIGNS_OUT = {"org:logout"}
# The admin is Django's: one rule for all of its URLs, tested at its entry points below.
ADMIN_NAMESPACE = "admin"
# Each websocket route and who may open it; see test_websocket_matrix.py.
WEBSOCKET_RULES = {"ws/notifications/": "signed in with the second factor and a role"}


# --- discovering the routes -----------------------------------------------------------------

def every_route() -> dict[str, str]:
    """Every URL pattern of the site, by its qualified name (or its route, if unnamed)."""
    found = {}

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace) if n)
                walk(pattern.url_patterns, inner if pattern.namespace else namespace, route)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace
                                         else pattern.name)
                found[name or route] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_route_has_an_access_rule():
    ruled = {rule.name for rule in RULES}
    missing = sorted(
        f"route {name} ({route}) has no access rule"
        for name, route in every_route().items()
        if name not in ruled and not name.startswith(ADMIN_NAMESPACE + ":")
        and not route.startswith("admin/")
    )
    assert missing == []


def test_every_rule_names_a_route_that_exists():
    assert {rule.name for rule in RULES} - set(every_route()) == set()


def test_every_websocket_route_has_an_access_rule():
    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes - set(WEBSOCKET_RULES) == set(), "websocket route has no access rule"


# --- what each persona should get -----------------------------------------------------------

def expected(rule: Rule, persona: str, world) -> object:
    if isinstance(rule.allowed, dict):
        return rule.allowed[persona]
    if rule.allowed == PUBLIC:
        return ALLOWED
    if persona == "anonymous":
        return LOGIN
    if persona == "unverified":
        return SECOND_FACTOR
    if rule.allowed == ANY_STAFF:
        return ALLOWED
    if persona in ROLES:
        return ALLOWED if persona in rule.allowed else 403
    if persona == "recused":
        if "officer" not in rule.allowed:
            return 403
        return 404 if rule.names_the_case(world) else ALLOWED
    if persona == "national_head":
        if persona in rule.allowed:
            return ALLOWED
        return 403 if rule.reports_go_up else 404
    return 404  # outsider: no role in DG


def _location_path(response) -> str:
    path = urlsplit(response.get("Location", "")).path
    return path[3:] if path.startswith("/en/") else path


def outcome_matches(response, want) -> bool:
    status = response.status_code
    if want == ALLOWED:
        refused = status in (401, 403, 404) or (
            status == 302 and _location_path(response).startswith(("/staff/login/",
                                                                     "/staff/two-factor/")))
        return status < 500 and not refused
    if want == LOGIN:
        return status == 302 and _location_path(response).startswith("/staff/login/")
    if want == SECOND_FACTOR:
        return status == 302 and _location_path(response) == "/staff/two-factor/"
    return status == want


def persona_client(world, persona):
    if persona == "anonymous":
        return client_for(None)
    if persona == "unverified":
        return client_for(world.people["head"], second_factor=False)
    return client_for(world.people[persona])


def foreign_identifiers(world, persona, rule) -> list[str]:
    """What a persona must never see on a page it is allowed: the other unit's records, and
    for the recused officer the cases they are recused from."""
    if persona == "outsider":
        return world.dg.identifiers()
    if persona in ("anonymous", "unverified", "national_head"):
        return []
    found = world.du.identifiers()
    if persona == "recused":
        found += world.recused_from
    return found


def shown_beyond_the_address(response, url: str, identifiers: list[str]) -> list[str]:
    """The identifiers a page shows, not counting the page's own address (which the
    language switch repeats, in both languages): that much the visitor typed."""
    body = body_of(response)
    path = url[3:] if url.startswith("/en/") else url
    for echo in ("/en" + path, path):
        body = body.replace(echo, "")
    return [value for value in identifiers if value in body]


def _visit(client, rule, world, persona, language, failures):
    url = rule.url(world, language)
    want = expected(rule, persona, world)
    requests = [("get", None)]
    if rule.method == "post":
        requests.append(("post", rule.post_data(world) if rule.post_data else {}))
    elif want != ALLOWED and rule.name not in SIGNS_OUT:
        requests.append(("post", {}))  # a page's form, sent by someone refused the page
    for method, data in requests:
        snapshot = audit_length if method == "get" else states
        with rolled_back():
            before = snapshot()
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, data)
            after = snapshot()
        if method != rule.method:
            # A route answers the other method with 405 (allowed) or its refusal.
            ok = response.status_code == 405 or (want != ALLOWED
                                                 and outcome_matches(response, want))
            changed = before != after
        else:
            ok = outcome_matches(response, want)
            changed = want != ALLOWED and before != after
        label = f"{method.upper()} {url} as {persona}: {response.status_code}, expected {want}"
        if not ok:
            failures.append(label)
        if changed:
            failures.append(label + " changed something")
        if response.status_code == 200 and want == ALLOWED:
            leaked = shown_beyond_the_address(response, url,
                                              foreign_identifiers(world, persona, rule))
            if leaked:
                failures.append(f"{label} shows {leaked}")


# The English URLs (/en/…) are guarded alike; these personas try them too.
IN_ENGLISH_TOO = {"anonymous", "clerk", "outsider"}
UNPREFIXED = {"healthz", "favicon", "agency_api:answers"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_gives_each_persona_exactly_what_it_may(world, persona):
    client = persona_client(world, persona)
    failures = []
    for rule in RULES:
        _visit(client, rule, world, persona, "mn", failures)
        if persona in IN_ENGLISH_TOO and rule.name not in UNPREFIXED:
            _visit(client, rule, world, persona, "en", failures)
    assert not failures, "\n".join(failures)


# --- object-level leaks ---------------------------------------------------------------------

OBJECT_KWARGS = ("reference", "uid", "number", "opening_id", "complaint_id")
DG_ROLE_PREFERENCE = ["head", "officer", "clerk", "auditor", "admin"]
DU_PEOPLE = {"officer": "outsider", "head": "du_head", "clerk": "du_clerk"}


def _objects_of(rule: Rule, objects) -> dict:
    return {
        "reference": objects.reference,
        "uid": objects.delivery_uid if rule.name.startswith("reporting:") else objects.file_uid,
        "number": objects.letter if rule.name.startswith("routing:letter") else objects.number,
        "opening_id": objects.opening_id,
        "complaint_id": objects.complaint_id,
    }


def _leak_cases(world):
    """(rule, unit_code, person, kwargs, foreign objects) for every route that names a
    record: the record of the other unit under this unit's URL, one identifier at a time
    and all of them at once."""
    for rule in RULES:
        if not isinstance(rule.allowed, (set, frozenset)):
            continue
        base = rule.kwargs(world) if callable(rule.kwargs) else dict(rule.kwargs)
        named = [key for key in OBJECT_KWARGS if key in base]
        if not named:
            continue
        for unit_code, own, foreign in (("DG", world.dg, world.du), ("DU", world.du, world.dg)):
            if unit_code == "DG":
                role = next((r for r in DG_ROLE_PREFERENCE if r in rule.allowed), None)
                person = role
            else:
                role = next((r for r in DU_PEOPLE if r in rule.allowed), None)
                person = DU_PEOPLE.get(role)
            if person is None:
                continue
            mine = {**base, "unit_code": unit_code,
                    **{k: v for k, v in _objects_of(rule, own).items() if k in named}}
            theirs = _objects_of(rule, foreign)
            variants = [{key: theirs[key]} for key in named]
            if len(named) > 1:
                variants.append({key: theirs[key] for key in named})
            for variant in variants:
                yield rule, person, {**mine, **variant}, foreign


def test_no_route_serves_a_record_of_another_unit_or_person(world):
    failures = []
    cases = list(_leak_cases(world))
    assert len(cases) > 30  # every case page, referral, file, opening, delivery...
    clients = {}
    for rule, person, kwargs, foreign in cases:
        client = clients.setdefault(person, client_for(world.people[person]))
        with translation.override("mn"):
            url = reverse(rule.name, kwargs=kwargs)
        with rolled_back():
            before = states()
            if rule.method == "post":
                response = client.post(url, rule.post_data(world) if rule.post_data else {})
            else:
                response = client.get(url)
            after = states()
        label = f"{rule.method.upper()} {url} as {person}: {response.status_code}"
        if response.status_code != 404:
            failures.append(label)
        if before != after:
            failures.append(label + " changed something")
        leaked = shown_beyond_the_address(response, url, foreign.identifiers())
        if leaked:
            failures.append(f"{label} shows {leaked}")
    assert not failures, "\n".join(failures)

    # Notifications are personal: one of someone else's cannot be marked read, while the
    # head's own can (so the refusal is about ownership).
    client = client_for(world.people["head"])
    with rolled_back():
        before = states()
        response = client.post(reverse("notify:mark_read"), {"id": world.du.notification_id})
        assert states() == before
    assert response.status_code == 404
    with rolled_back():
        response = client.post(reverse("notify:mark_read"), {"id": world.dg.notification_id})
        assert response.status_code == 302


def test_the_recused_officer_finds_the_case_nowhere(world):
    """Not in the queue, the tracker, the letters or the notifications, though the officer
    they stand in for sees it in each."""
    pages = [("intake:queue", {"unit_code": "DG"}), ("routing:tracker", {"unit_code": "DG"}),
             ("routing:tracker_csv", {"unit_code": "DG"}), ("notify:centre", {})]
    officer, recused = client_for(world.people["officer"]), client_for(world.people["recused"])
    for name, kwargs in pages:
        url = reverse(name, kwargs=kwargs)
        seen_by_officer = body_of(officer.get(url))
        seen_by_recused = recused.get(url)
        assert seen_by_recused.status_code == 200, name
        assert world.dg.reference not in body_of(seen_by_recused), name
        if name != "notify:centre":
            assert world.dg.reference in seen_by_officer, name


def test_the_monthly_report_hides_the_cases_the_reader_is_recused_from(world):
    """The report page keeps the row (the counts must add up) without its details, and the
    file, a whole signed document, is not given to the recused reader at all."""
    page = reverse("reporting:month", kwargs=pages_reporting.ON_MONTH)
    response = client_for(world.people["recused"]).get(page)
    assert response.status_code == 200
    body = body_of(response)
    assert world.dg.reference not in body
    assert 'class="recused"' in body
    assert world.dg.reference in body_of(client_for(world.people["officer"]).get(page))

    export = reverse("reporting:export", kwargs={**pages_reporting.ON_MONTH, "fmt": "csv"})
    refused = client_for(world.people["recused"]).get(export)
    assert refused.status_code == 302 and refused["Location"] == page
    allowed = client_for(world.people["officer"]).get(export)
    assert allowed.status_code == 200
    assert world.dg.reference in body_of(allowed)



def test_the_live_statistics_hide_the_cases_the_reader_is_recused_from(world):
    """The consolidated month and the quarter are computed live; the same rule holds."""
    quarter = {"unit_code": "DG", "quarter": "2026-Q4"}
    for name, kwargs in (("reporting:consolidated", pages_reporting.ON_MONTH),
                         ("reporting:quarter", quarter)):
        url = reverse(name, kwargs=kwargs)
        assert world.dg.reference not in body_of(client_for(world.people["recused"]).get(url))
        assert world.dg.reference in body_of(client_for(world.people["officer"]).get(url))
    export = reverse("reporting:quarter_export", kwargs={**quarter, "fmt": "csv"})
    assert client_for(world.people["recused"]).get(export).status_code == 302
    assert world.dg.reference in body_of(client_for(world.people["officer"]).get(export))

# --- the admin ------------------------------------------------------------------------------

def _admin_entry_points() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin_site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    return urls


def test_the_admin_refuses_everyone_but_a_verified_administrator(personas):
    people = {"anonymous": None, "unverified": personas["head"], **personas}
    for persona, user in people.items():
        client = client_for(user, second_factor=persona != "unverified")
        for url in _admin_entry_points():
            response = client.get(url)
            assert response.status_code == 302, (url, persona)
            assert "/login/" in response["Location"], (url, persona)


def test_the_admin_lets_a_verified_administrator_in(personas):
    admin = personas["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    assert client_for(admin, second_factor=False).get(reverse("admin:index")).status_code == 302
    client = client_for(admin)
    for url in _admin_entry_points()[:5]:
        assert client.get(url).status_code == 200, url
    # An administrator's role in a unit is needed too: staff status alone is not enough.
    head = personas["head"]
    head.is_staff = head.is_superuser = True
    head.save()
    response = client_for(head).get(reverse("admin:index"))
    assert response.status_code == 302


def test_the_one_query_count_agrees_with_the_orm(world):
    from audit.models import AuditEvent
    from audit.services import READ_ACTION
    from tests.security.helpers import COUNTED, counts

    found = counts()
    expected = {name: model.objects.count() for name, model in COUNTED.items()}
    expected["audit_reads"] = AuditEvent.objects.filter(action=READ_ACTION).count()
    expected["audit"] -= expected["audit_reads"]
    assert found == expected and found["complaints"] > 0 and found["audit"] > 0
