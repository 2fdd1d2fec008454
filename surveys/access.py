"""Who may do what with a unit's surveys. The pages ask these to show or hide a form; the
services ask them again before they change anything.

The unit's clerk enters (opens rounds, types the paper tallies); its officers, head and
auditor read; so do the heads of the units above it (the parent's head reads its children).
"""

from django.core.exceptions import PermissionDenied

from org.access import roles_in_unit
from org.models import Membership, Role, Unit

WRITERS = (Role.CLERK,)
READERS = (Role.CLERK, Role.OFFICER, Role.HEAD, Role.AUDITOR)
OVERSEERS = (Role.HEAD,)


def may_read(user, unit: Unit) -> bool:
    if roles_in_unit(user, unit) & set(READERS):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.active().filter(
        user=user, unit__in=unit.ancestors(), role__in=OVERSEERS).exists()


def may_write(user, unit: Unit) -> bool:
    return bool(roles_in_unit(user, unit) & set(WRITERS))


def require(allowed: bool) -> None:
    """Refuse (PermissionDenied, 403) unless `allowed`."""
    if not allowed:
        raise PermissionDenied
