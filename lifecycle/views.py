"""The legal hold's action on a case: POST only, for the unit's head, like every action on
a case. The panel that holds its form is lifecycle.panels.retention_panel."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intake.case.pages import case_for, refused
from lifecycle import retention
from lifecycle.forms import LegalHoldForm
from org.access import unit_role_required
from org.models import Role


@unit_role_required(Role.HEAD)
@require_POST
def legal_hold(request, unit, reference):
    complaint = case_for(request, unit, reference)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        return refused(request, unit, complaint, panel_extra={"hold_form": form})
    try:
        if form.cleaned_data["action"] == "place":
            retention.legal_hold_place(complaint=complaint, by=request.user)
            text = _("The case is on legal hold: its content is kept until the hold is "
                     "released.")
        else:
            retention.legal_hold_release(complaint=complaint, by=request.user)
            text = _("The legal hold was released.")
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    messages.success(request, text)
    return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
