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
