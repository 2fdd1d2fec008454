"""Intake's own actions on a case (acknowledge, reply, note, amend, extend, close), each a
panel of intake.panels like routing's triage and lifecycle's retention, so that one rule
places them all on the case page: what the case's state calls for first, the rest folded.

A refused action reaches its panel as `extra` (intake.case.pages.refused), in place of the
blank form made here.
"""

from django.utils.translation import gettext_lazy as _

from intake.case.forms import AmendmentForm, ClosureForm, ExtensionForm, NoteForm, ReplyForm
from intake.models import Status
from intake.panels import register_case_panel

FOLDER = "intake/staff/case/actions/"


def _open(complaint) -> bool:
    return complaint.status != Status.CLOSED


def acknowledge(request, unit, complaint, content):
    if not _open(complaint) or complaint.acknowledged_at is not None:
        return None
    return FOLDER + "acknowledge.html", {"unit": unit, "complaint": complaint}


def reply(request, unit, complaint, content):
    if not _open(complaint):
        return None
    return FOLDER + "reply.html", {"unit": unit, "complaint": complaint,
                                   "reply_form": ReplyForm(prefix="reply")}


def note(request, unit, complaint, content):
    return FOLDER + "note.html", {"unit": unit, "complaint": complaint,
                                  "note_form": NoteForm(prefix="note")}


def amend(request, unit, complaint, content):
    return FOLDER + "amend.html", {"unit": unit, "complaint": complaint,
                                   "amend_form": AmendmentForm(prefix="amend")}


def extend(request, unit, complaint, content):
    if not _open(complaint):
        return None
    return FOLDER + "extend.html", {"unit": unit, "complaint": complaint,
                                    "extend_form": ExtensionForm(prefix="extend")}


def close(request, unit, complaint, content):
    if not _open(complaint):
        return None
    return FOLDER + "close.html", {"unit": unit, "complaint": complaint,
                                   "close_form": ClosureForm(prefix="close")}


def always(request, complaint) -> bool:
    return True


def answering(request, complaint) -> bool:
    """A case acknowledged and still open is answered: the reply comes first."""
    return _open(complaint) and complaint.acknowledged_at is not None


def register() -> None:
    """Called once from intake.apps. Routing's triage and referrals are at 10, lifecycle's
    retention at 90."""
    register_case_panel(acknowledge, order=5, primary=always,
                        title=_("Acknowledge to the reporter"))
    register_case_panel(reply, order=20, primary=answering, title=_("Reply to the reporter"))
    register_case_panel(note, order=30, title=_("Internal note"))
    register_case_panel(amend, order=40, title=_("Amendment"))
    register_case_panel(extend, order=50, title=_("Extend the resolution deadline"))
    register_case_panel(close, order=60, title=_("Close the case"))
