"""The matter on the triage card (routing.matters): the linked complaints with their
decisions, and the button that applies this complaint's decision to them, a button of the
case page's one form (so typed text elsewhere on the page is never lost)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from intake.case.pages import CASE_ROLES, case_for, refused, typed_elsewhere
from intake.models import Status
from org.access import unit_role_required
from routing.matters import decisions_differing, linked_for, matter_triage_apply
from routing.services import current_decision


def matter_note(request, unit, complaint, content):
    """Registered as a triage note (routing.triage_notes): metadata only."""
    linked = linked_for(complaint, request.user)
    if not linked:
        return None
    rows = [{"complaint": other, "decision": current_decision(other)} for other in linked]
    return "routing/matter_note.html", {
        "unit": unit, "complaint": complaint, "rows": rows,
        "can_apply": (complaint.status != Status.CLOSED
                      and current_decision(complaint) is not None
                      and bool(decisions_differing(complaint, linked))),
    }


@unit_role_required(*CASE_ROLES)
@require_POST
def triage_matter(request, unit, reference):
    complaint = case_for(request, unit, reference)
    kept = typed_elsewhere(request, unit, complaint, None)
    if kept is not None:
        return kept
    try:
        changed = matter_triage_apply(complaint=complaint, by=request.user)
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    messages.success(request, ngettext(
        "The decision was recorded on %(count)d linked complaint.",
        "The decision was recorded on %(count)d linked complaints.",
        len(changed)) % {"count": len(changed)})
    return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
