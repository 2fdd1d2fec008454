"""The administrators' status page: one server-rendered page of counts and times."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ops.status import read_status
from ops.triage_status import triage_models
from org.access import unit_role_required
from org.models import Role


@require_GET
@unit_role_required(Role.ADMIN)
def status(request, unit):
    """What the whole installation is doing, for the unit's administrators. The figures
    are the installation's, not the unit's: queue, deliveries, audit trail, backups and
    keys are shared by every unit. The page sits under a unit so that it follows the same
    access rule as the administrators' other pages and appears in their navigation."""
    return render(request, "ops/status.html", {"unit": unit, "status": read_status(),
                                              "triage": triage_models()})
