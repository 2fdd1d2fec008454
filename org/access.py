"""The one place that decides who may see what. Every staff view and websocket uses it.

A unit-scoped page answers 404 to someone with no role in that unit (so the unit's pages do
not even confirm what exists) and 403 to a member whose role is not allowed there.
"""

from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from org.models import Membership, Unit


def second_factor_satisfied(user) -> bool:
    """True when the user signed in with a second factor, or when the deployment does not
    require one (a developer's machine). Unverified users with a device never pass: they
    had to give the code at login."""
    if not settings.REQUIRE_2FA:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def roles_in_unit(user, unit: Unit) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        Membership.objects.active().filter(user=user, unit=unit).values_list("role", flat=True)
    )


def unit_and_roles(user, unit_code: str) -> tuple[Unit | None, set[str]]:
    """The open unit of `unit_code` and the roles `user` holds in it, in one query; (None,
    an empty set) when they hold none there, or there is no such open unit."""
    if not user.is_authenticated or not user.is_active:
        return None, set()
    held = list(Membership.objects.active().filter(user=user, unit__code=unit_code)
                .select_related("unit"))
    return (held[0].unit if held else None), {membership.role for membership in held}


def may_act(user, unit: Unit, roles: Iterable[str] | None = None) -> bool:
    """Whether `user` holds one of `roles` in `unit` (any role when `roles` is None)."""
    held = roles_in_unit(user, unit)
    return bool(held) if roles is None else bool(held & set(roles))


def _needs_login(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not second_factor_satisfied(request.user):
        return redirect("org:two_factor_setup")
    return None


def staff_required(view):
    """Signed in, with the second factor where required. For pages not tied to one unit."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        refusal = _needs_login(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapped


def unit_role_required(*roles: str):
    """For views whose URL names a unit by `unit_code`: passes the Unit to the view and sets
    `request.unit_roles`. With no roles given, any role in the unit will do."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, unit_code: str, *args, **kwargs):
            refusal = _needs_login(request)
            if refusal is not None:
                return refusal
            unit, held = unit_and_roles(request.user, unit_code)
            if not held:
                raise Http404
            if roles and not held & set(roles):
                raise PermissionDenied
            request.unit_roles = held
            return view(request, unit, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator
