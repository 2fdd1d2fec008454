"""Who may do what with a unit's monthly reports. The pages ask these to show or hide an
action; the services ask them again before they change anything."""

from django.core.exceptions import PermissionDenied

from org.models import Membership, Role, Unit

WRITERS = (Role.CLERK, Role.HEAD)
READERS = (Role.CLERK, Role.OFFICER, Role.HEAD, Role.AUDITOR)
# People of a unit above this one who may read its reports (and see the consolidation).
OVERSEERS = (Role.CLERK, Role.HEAD, Role.AUDITOR)


def roles_in(user, units) -> set[str]:
    """The roles `user` holds in any of `units`."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.active().filter(user=user, unit__in=units)
               .values_list("role", flat=True))


def may_read(user, unit: Unit) -> bool:
    """The unit's own staff, and the clerks, heads and auditors of any unit above it."""
    return bool(roles_in(user, [unit]) & set(READERS)
                or roles_in(user, unit.ancestors()) & set(OVERSEERS))


def writes(roles) -> bool:
    """Whether someone holding `roles` in a unit writes its reports (a clerk or the head)."""
    return bool(set(roles) & set(WRITERS))


def may_write(user, unit: Unit) -> bool:
    return writes(roles_in(user, [unit]))


def may_approve(user, unit: Unit) -> bool:
    return Role.HEAD in roles_in(user, [unit])


def oversees(user, unit: Unit) -> bool:
    """Whether `user` reads every unit below `unit` (a clerk, head or auditor of it or of a
    unit above it), so the consolidation may link into each."""
    units = [unit.pk, *(above.pk for above in unit.ancestors())]
    return Membership.objects.active().filter(
        user=user, unit_id__in=units, role__in=OVERSEERS).exists()


def require(allowed: bool, message: str) -> None:
    """Refuse (PermissionDenied, 403) with `message` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)
