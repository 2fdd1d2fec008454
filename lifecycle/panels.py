"""What lifecycle shows on a case's pages (registered in lifecycle.apps): the overdue clocks
and escalations inside routing's triage card (routing.triage_notes), and the retention
panel with the legal hold at the foot of the page (intake.panels). Metadata only: neither
decrypts anything."""

from lifecycle.clocks import clocks_of_case, escalations_for
from lifecycle.forms import LegalHoldForm
from lifecycle.retention import retention_of
from org.models import Role


def case_clocks(request, unit, complaint, content):
    """The clocks of the case that have run out, the escalations taken on them, and the
    deadlines counted over days the holiday calendar does not know yet."""
    overdue, provisional = clocks_of_case(complaint)
    escalations = list(escalations_for(complaint))
    if not overdue and not escalations and not provisional:
        return None
    return "lifecycle/case_clocks.html", {"overdue_clocks": overdue,
                                          "escalations": escalations,
                                          "provisional": provisional}


def retention_panel(request, unit, complaint, content):
    """How long the case is kept, and the legal hold."""
    return "routing/retention_panel.html", {
        "unit": unit, "complaint": complaint,
        "retention": retention_of(complaint),
        "shredded": complaint.data_key.is_shredded,
        "is_head": Role.HEAD in getattr(request, "unit_roles", set()),
        "hold_form": LegalHoldForm(),
    }
