from org.models import Membership


def staff_navigation(request):
    """The units and roles a signed-in person holds, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def units():
        by_unit: dict = {}
        for membership in Membership.objects.for_user(user).order_by("unit__code", "role"):
            by_unit.setdefault(membership.unit, set()).add(membership.role)
        return [{"unit": unit, "roles": roles} for unit, roles in by_unit.items()]

    # Evaluated only by templates that show the navigation.
    return {"staff_units": units}


def unit_navigation(request):
    """Links to what the signed-in person may do in the unit whose page this is."""
    roles = getattr(request, "unit_roles", None)
    match = getattr(request, "resolver_match", None)
    unit_code = match.kwargs.get("unit_code") if match else None
    if not roles or not unit_code:
        return {}
    from org.navigation import links_for

    return {"unit_links": links_for(unit_code, roles), "nav_unit_code": unit_code}
