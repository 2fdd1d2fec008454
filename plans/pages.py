"""What the plan's pages share: who may open them, the plan a URL names, and a refused rule
shown back on the page.

Who may read is reporting.access.may_read, as for the monthly reports: the unit's own staff,
and the clerks, heads and auditors of the units above it (so a parent's head reads its
children's plans and reports). Who may write is checked by each action (403) and again by
the service.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from plans.models import Plan
from reporting.access import may_approve, may_write
from reporting.pages import report_reader

__all__ = ["plan_of", "report_reader", "require_writer", "require_head"]


def plan_of(unit, year: int, version: str | None = None) -> Plan:
    """The unit's plan for `year`: the version asked for, else the latest; or 404."""
    plans = Plan.objects.filter(unit=unit, year=year)
    if version is not None:
        plans = plans.filter(version=int(version)) if version.isdigit() else plans.none()
    plan = plans.order_by("-version").first()
    if plan is None:
        raise Http404
    return plan


def require_writer(request, unit) -> None:
    if not may_write(request.user, unit):
        raise PermissionDenied


def require_head(request, unit) -> None:
    if not may_approve(request.user, unit):
        raise PermissionDenied
